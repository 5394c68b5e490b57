// Our own protobuf definitions for the Kubernetes messages kubectl sends as
// application/vnd.kubernetes.protobuf, with the field numbers of k8s.io/api and
// k8s.io/apimachinery generated.proto (proto2). Only the fields kubesim needs are declared;
// unknown fields on the wire are skipped by the decoder.
export const K8S_PROTO = `
syntax = "proto2";
package k8s;

// ---- k8s.io/apimachinery/pkg/runtime
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }

// ---- k8s.io/apimachinery/pkg/util/intstr, pkg/api/resource
message IntOrString { optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3; }
message Quantity { optional string string = 1; }

// ---- k8s.io/apimachinery/pkg/apis/meta/v1
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message MicroTime { optional int64 seconds = 1; optional int32 nanos = 2; }
message Duration { optional int64 duration = 1; }
message OwnerReference { optional string kind = 1; optional string name = 3; optional string uid = 4; optional string apiVersion = 5; optional bool controller = 6; optional bool blockOwnerDeletion = 7; }
message ObjectMeta {
  optional string name = 1; optional string generateName = 2; optional string namespace = 3; optional string selfLink = 4;
  optional string uid = 5; optional string resourceVersion = 6; optional int64 generation = 7;
  optional Time creationTimestamp = 8; optional Time deletionTimestamp = 9; optional int64 deletionGracePeriodSeconds = 10;
  map<string, string> labels = 11; map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14;
}
message LabelSelectorRequirement { optional string key = 1; optional string operator = 2; repeated string values = 3; }
message LabelSelector { map<string, string> matchLabels = 1; repeated LabelSelectorRequirement matchExpressions = 2; }

// ---- k8s.io/api/core/v1
message LocalObjectReference { optional string name = 1; }
message ObjectFieldSelector { optional string apiVersion = 1; optional string fieldPath = 2; }
message ResourceFieldSelector { optional string containerName = 1; optional string resource = 2; optional Quantity divisor = 3; }
message ConfigMapKeySelector { optional LocalObjectReference localObjectReference = 1; optional string key = 2; optional bool optional = 3; }
message SecretKeySelector { optional LocalObjectReference localObjectReference = 1; optional string key = 2; optional bool optional = 3; }
message EnvVarSource { optional ObjectFieldSelector fieldRef = 1; optional ResourceFieldSelector resourceFieldRef = 2; optional ConfigMapKeySelector configMapKeyRef = 3; optional SecretKeySelector secretKeyRef = 4; }
message EnvVar { optional string name = 1; optional string value = 2; optional EnvVarSource valueFrom = 3; }
message ConfigMapEnvSource { optional LocalObjectReference localObjectReference = 1; optional bool optional = 2; }
message SecretEnvSource { optional LocalObjectReference localObjectReference = 1; optional bool optional = 2; }
message EnvFromSource { optional string prefix = 1; optional ConfigMapEnvSource configMapRef = 2; optional SecretEnvSource secretRef = 3; }
message ContainerPort { optional string name = 1; optional int32 hostPort = 2; optional int32 containerPort = 3; optional string protocol = 4; optional string hostIP = 5; }
message ResourceRequirements { map<string, Quantity> limits = 1; map<string, Quantity> requests = 2; }
message VolumeMount { optional string name = 1; optional bool readOnly = 2; optional string mountPath = 3; optional string subPath = 4; optional string mountPropagation = 5; optional string subPathExpr = 6; }
message ExecAction { repeated string command = 1; }
message HTTPHeader { optional string name = 1; optional string value = 2; }
message HTTPGetAction { optional string path = 1; optional IntOrString port = 2; optional string host = 3; optional string scheme = 4; repeated HTTPHeader httpHeaders = 5; }
message TCPSocketAction { optional IntOrString port = 1; optional string host = 2; }
message ProbeHandler { optional ExecAction exec = 1; optional HTTPGetAction httpGet = 2; optional TCPSocketAction tcpSocket = 3; }
message Probe { optional ProbeHandler handler = 1; optional int32 initialDelaySeconds = 2; optional int32 timeoutSeconds = 3; optional int32 periodSeconds = 4; optional int32 successThreshold = 5; optional int32 failureThreshold = 6; optional int64 terminationGracePeriodSeconds = 7; }
message Container {
  optional string name = 1; optional string image = 2; repeated string command = 3; repeated string args = 4; optional string workingDir = 5;
  repeated ContainerPort ports = 6; repeated EnvVar env = 7; optional ResourceRequirements resources = 8; repeated VolumeMount volumeMounts = 9;
  optional Probe livenessProbe = 10; optional Probe readinessProbe = 11; optional string terminationMessagePath = 13; optional string imagePullPolicy = 14;
  optional bool stdin = 16; optional bool stdinOnce = 17; optional bool tty = 18; repeated EnvFromSource envFrom = 19; optional string terminationMessagePolicy = 20;
  optional Probe startupProbe = 22; optional string restartPolicy = 24;
}
message Toleration { optional string key = 1; optional string operator = 2; optional string value = 3; optional string effect = 4; optional int64 tolerationSeconds = 5; }
message EmptyDirVolumeSource { optional string medium = 1; optional Quantity sizeLimit = 2; }
message HostPathVolumeSource { optional string path = 1; optional string type = 2; }
message KeyToPath { optional string key = 1; optional string path = 2; optional int32 mode = 3; }
message SecretVolumeSource { optional string secretName = 1; repeated KeyToPath items = 2; optional int32 defaultMode = 3; optional bool optional = 4; }
message ConfigMapVolumeSource { optional LocalObjectReference localObjectReference = 1; repeated KeyToPath items = 2; optional int32 defaultMode = 3; optional bool optional = 4; }
message VolumeSource { optional HostPathVolumeSource hostPath = 1; optional EmptyDirVolumeSource emptyDir = 2; optional SecretVolumeSource secret = 6; optional ConfigMapVolumeSource configMap = 19; }
message Volume { optional string name = 1; optional VolumeSource volumeSource = 2; }
message PodSpec {
  repeated Volume volumes = 1; repeated Container containers = 2; optional string restartPolicy = 3; optional int64 terminationGracePeriodSeconds = 4;
  optional int64 activeDeadlineSeconds = 5; optional string dnsPolicy = 6; map<string, string> nodeSelector = 7; optional string serviceAccountName = 8;
  optional string serviceAccount = 9; optional string nodeName = 10; optional bool hostNetwork = 11; repeated LocalObjectReference imagePullSecrets = 15;
  optional string hostname = 16; optional string subdomain = 17; optional string schedulerName = 19; repeated Container initContainers = 20;
  optional bool automountServiceAccountToken = 21; repeated Toleration tolerations = 22; optional string priorityClassName = 24; optional int32 priority = 25;
  optional bool enableServiceLinks = 30; optional string preemptionPolicy = 31;
}
message PodTemplateSpec { optional ObjectMeta metadata = 1; optional PodSpec spec = 2; }
message Pod { optional ObjectMeta metadata = 1; optional PodSpec spec = 2; }
message NamespaceSpec { repeated string finalizers = 1; }
message NamespaceStatus { optional string phase = 1; }
message Namespace { optional ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; optional NamespaceStatus status = 3; }
message ConfigMap { optional ObjectMeta metadata = 1; map<string, string> data = 2; map<string, bytes> binaryData = 3; optional bool immutable = 4; }
message Secret { optional ObjectMeta metadata = 1; map<string, bytes> data = 2; optional string type = 3; map<string, string> stringData = 4; optional bool immutable = 5; }
message ServicePort { optional string name = 1; optional string protocol = 2; optional int32 port = 3; optional IntOrString targetPort = 4; optional int32 nodePort = 5; optional string appProtocol = 6; }
message ServiceSpec {
  repeated ServicePort ports = 1; map<string, string> selector = 2; optional string clusterIP = 3; optional string type = 4; repeated string externalIPs = 5;
  optional string sessionAffinity = 7; optional string loadBalancerIP = 8; repeated string loadBalancerSourceRanges = 9; optional string externalName = 10;
  optional string externalTrafficPolicy = 11; optional int32 healthCheckNodePort = 12; optional bool publishNotReadyAddresses = 13;
  optional string ipFamilyPolicy = 17; repeated string clusterIPs = 18; repeated string ipFamilies = 19; optional bool allocateLoadBalancerNodePorts = 20;
  optional string loadBalancerClass = 21; optional string internalTrafficPolicy = 22;
}
message Service { optional ObjectMeta metadata = 1; optional ServiceSpec spec = 2; }
message ObjectReference { optional string kind = 1; optional string namespace = 2; optional string name = 3; optional string uid = 4; optional string apiVersion = 5; optional string resourceVersion = 6; optional string fieldPath = 7; }
message ServiceAccount { optional ObjectMeta metadata = 1; repeated ObjectReference secrets = 2; repeated LocalObjectReference imagePullSecrets = 3; optional bool automountServiceAccountToken = 4; }

// ---- k8s.io/api/apps/v1
message RollingUpdateDeployment { optional IntOrString maxUnavailable = 1; optional IntOrString maxSurge = 2; }
message DeploymentStrategy { optional string type = 1; optional RollingUpdateDeployment rollingUpdate = 2; }
message DeploymentSpec {
  optional int32 replicas = 1; optional LabelSelector selector = 2; optional PodTemplateSpec template = 3; optional DeploymentStrategy strategy = 4;
  optional int32 minReadySeconds = 5; optional int32 revisionHistoryLimit = 6; optional bool paused = 7; optional int32 progressDeadlineSeconds = 9;
}
message Deployment { optional ObjectMeta metadata = 1; optional DeploymentSpec spec = 2; }

// ---- k8s.io/api/batch/v1
message PodFailurePolicyOnExitCodesRequirement { optional string containerName = 1; optional string operator = 2; repeated int32 values = 3; }
message PodFailurePolicyOnPodConditionsPattern { optional string type = 1; optional string status = 2; }
message PodFailurePolicyRule { optional string action = 1; optional PodFailurePolicyOnExitCodesRequirement onExitCodes = 2; repeated PodFailurePolicyOnPodConditionsPattern onPodConditions = 3; }
message PodFailurePolicy { repeated PodFailurePolicyRule rules = 1; }
message SuccessPolicyRule { optional string succeededIndexes = 1; optional int32 succeededCount = 2; }
message SuccessPolicy { repeated SuccessPolicyRule rules = 1; }
message JobSpec {
  optional int32 parallelism = 1; optional int32 completions = 2; optional int64 activeDeadlineSeconds = 3; optional LabelSelector selector = 4;
  optional bool manualSelector = 5; optional PodTemplateSpec template = 6; optional int32 backoffLimit = 7; optional int32 ttlSecondsAfterFinished = 8;
  optional string completionMode = 9; optional bool suspend = 10; optional PodFailurePolicy podFailurePolicy = 11; optional int32 backoffLimitPerIndex = 12;
  optional int32 maxFailedIndexes = 13; optional string podReplacementPolicy = 14; optional string managedBy = 15; optional SuccessPolicy successPolicy = 16;
}
message Job { optional ObjectMeta metadata = 1; optional JobSpec spec = 2; }
message JobTemplateSpec { optional ObjectMeta metadata = 1; optional JobSpec spec = 2; }
message CronJobSpec {
  optional string schedule = 1; optional int64 startingDeadlineSeconds = 2; optional string concurrencyPolicy = 3; optional bool suspend = 4;
  optional JobTemplateSpec jobTemplate = 5; optional int32 successfulJobsHistoryLimit = 6; optional int32 failedJobsHistoryLimit = 7; optional string timeZone = 8;
}
message CronJob { optional ObjectMeta metadata = 1; optional CronJobSpec spec = 2; }

// ---- k8s.io/api/autoscaling/v1 and v2
message CrossVersionObjectReference { optional string kind = 1; optional string name = 2; optional string apiVersion = 3; }
message HorizontalPodAutoscalerSpecV1 { optional CrossVersionObjectReference scaleTargetRef = 1; optional int32 minReplicas = 2; optional int32 maxReplicas = 3; optional int32 targetCPUUtilizationPercentage = 4; }
message HorizontalPodAutoscalerV1 { optional ObjectMeta metadata = 1; optional HorizontalPodAutoscalerSpecV1 spec = 2; }
message MetricTarget { optional string type = 1; optional Quantity value = 2; optional Quantity averageValue = 3; optional int32 averageUtilization = 4; }
message ResourceMetricSource { optional string name = 1; optional MetricTarget target = 2; }
message ContainerResourceMetricSource { optional string name = 1; optional MetricTarget target = 2; optional string container = 3; }
message MetricIdentifier { optional string name = 1; optional LabelSelector selector = 2; }
message PodsMetricSource { optional MetricIdentifier metric = 1; optional MetricTarget target = 2; }
message ObjectMetricSource { optional CrossVersionObjectReference describedObject = 1; optional MetricTarget target = 2; optional MetricIdentifier metric = 3; }
message ExternalMetricSource { optional MetricIdentifier metric = 1; optional MetricTarget target = 2; }
message MetricSpec { optional string type = 1; optional ObjectMetricSource object = 2; optional PodsMetricSource pods = 3; optional ResourceMetricSource resource = 4; optional ExternalMetricSource external = 5; optional ContainerResourceMetricSource containerResource = 7; }
message HPAScalingPolicy { optional string type = 1; optional int32 value = 2; optional int32 periodSeconds = 3; }
message HPAScalingRules { optional string selectPolicy = 1; repeated HPAScalingPolicy policies = 2; optional int32 stabilizationWindowSeconds = 3; optional Quantity tolerance = 4; }
message HorizontalPodAutoscalerBehavior { optional HPAScalingRules scaleUp = 1; optional HPAScalingRules scaleDown = 2; }
message HorizontalPodAutoscalerSpecV2 { optional CrossVersionObjectReference scaleTargetRef = 1; optional int32 minReplicas = 2; optional int32 maxReplicas = 3; repeated MetricSpec metrics = 4; optional HorizontalPodAutoscalerBehavior behavior = 5; }
message HorizontalPodAutoscalerV2 { optional ObjectMeta metadata = 1; optional HorizontalPodAutoscalerSpecV2 spec = 2; }

// ---- k8s.io/api/authorization/v1
message FieldSelectorAttributes { optional string rawSelector = 1; }
message LabelSelectorAttributes { optional string rawSelector = 1; }
message ResourceAttributes {
  optional string namespace = 1; optional string verb = 2; optional string group = 3; optional string version = 4; optional string resource = 5;
  optional string subresource = 6; optional string name = 7; optional FieldSelectorAttributes fieldSelector = 8; optional LabelSelectorAttributes labelSelector = 9;
}
message NonResourceAttributes { optional string path = 1; optional string verb = 2; }
message SelfSubjectAccessReviewSpec { optional ResourceAttributes resourceAttributes = 1; optional NonResourceAttributes nonResourceAttributes = 2; }
message SelfSubjectAccessReview { optional ObjectMeta metadata = 1; optional SelfSubjectAccessReviewSpec spec = 2; }
message SelfSubjectRulesReviewSpec { optional string namespace = 1; }
message SelfSubjectRulesReview { optional ObjectMeta metadata = 1; optional SelfSubjectRulesReviewSpec spec = 2; }

// ---- k8s.io/api/rbac/v1
message PolicyRule { repeated string verbs = 1; repeated string apiGroups = 2; repeated string resources = 3; repeated string resourceNames = 4; repeated string nonResourceURLs = 5; }
message AggregationRule { repeated LabelSelector clusterRoleSelectors = 1; }
message Role { optional ObjectMeta metadata = 1; repeated PolicyRule rules = 2; }
message ClusterRole { optional ObjectMeta metadata = 1; repeated PolicyRule rules = 2; optional AggregationRule aggregationRule = 3; }
message Subject { optional string kind = 1; optional string apiGroup = 2; optional string name = 3; optional string namespace = 4; }
message RoleRef { optional string apiGroup = 1; optional string kind = 2; optional string name = 3; }
message RoleBinding { optional ObjectMeta metadata = 1; repeated Subject subjects = 2; optional RoleRef roleRef = 3; }
message ClusterRoleBinding { optional ObjectMeta metadata = 1; repeated Subject subjects = 2; optional RoleRef roleRef = 3; }

// ---- core/v1 ResourceQuota, scheduling/v1 PriorityClass, policy/v1 PodDisruptionBudget
message ScopedResourceSelectorRequirement { optional string scopeName = 1; optional string operator = 2; repeated string values = 3; }
message ScopeSelector { repeated ScopedResourceSelectorRequirement matchExpressions = 1; }
message ResourceQuotaSpec { map<string, Quantity> hard = 1; repeated string scopes = 2; optional ScopeSelector scopeSelector = 3; }
message ResourceQuota { optional ObjectMeta metadata = 1; optional ResourceQuotaSpec spec = 2; }
message PriorityClass { optional ObjectMeta metadata = 1; optional int32 value = 2; optional bool globalDefault = 3; optional string description = 4; optional string preemptionPolicy = 5; }
message PodDisruptionBudgetSpec { optional IntOrString minAvailable = 1; optional LabelSelector selector = 2; optional IntOrString maxUnavailable = 3; optional string unhealthyPodEvictionPolicy = 4; }
message PodDisruptionBudget { optional ObjectMeta metadata = 1; optional PodDisruptionBudgetSpec spec = 2; }

// ---- certificates.k8s.io/v1 CertificateSigningRequest (kubectl certificate approve|deny writes /approval with it)
message ExtraValue { repeated string items = 1; }
message CertificateSigningRequestSpec { optional bytes request = 1; optional string username = 2; optional string uid = 3; repeated string groups = 4; repeated string usages = 5; map<string, ExtraValue> extra = 6; optional string signerName = 7; optional int32 expirationSeconds = 8; }
message CertificateSigningRequestCondition { optional string type = 1; optional string reason = 2; optional string message = 3; optional Time lastUpdateTime = 4; optional Time lastTransitionTime = 5; optional string status = 6; }
message CertificateSigningRequestStatus { repeated CertificateSigningRequestCondition conditions = 1; optional bytes certificate = 2; }
message CertificateSigningRequest { optional ObjectMeta metadata = 1; optional CertificateSigningRequestSpec spec = 2; optional CertificateSigningRequestStatus status = 3; }

// ---- k8s.io/api/authentication/v1
message SelfSubjectReview { optional ObjectMeta metadata = 1; }
// TokenRequest (kubectl create token); Go's APIVersion/UID fields go by their JSON names here.
message BoundObjectReference { optional string kind = 1; optional string apiVersion = 2; optional string name = 3; optional string uid = 4; }
message TokenRequestSpec { repeated string audiences = 1; optional BoundObjectReference boundObjectRef = 3; optional int64 expirationSeconds = 4; }
message TokenRequestStatus { optional string token = 1; optional Time expirationTimestamp = 2; }
message TokenRequest { optional ObjectMeta metadata = 1; optional TokenRequestSpec spec = 2; optional TokenRequestStatus status = 3; }
`;

/** apiVersion/kind → the message carrying that object. */
export const MESSAGE_BY_KIND: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/Service': 'Service',
  'v1/Pod': 'Pod',
  'v1/ServiceAccount': 'ServiceAccount',
  'apps/v1/Deployment': 'Deployment',
  'batch/v1/Job': 'Job',
  'batch/v1/CronJob': 'CronJob',
  'autoscaling/v1/HorizontalPodAutoscaler': 'HorizontalPodAutoscalerV1',
  'autoscaling/v2/HorizontalPodAutoscaler': 'HorizontalPodAutoscalerV2',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview': 'SelfSubjectRulesReview',
  'authentication.k8s.io/v1/SelfSubjectReview': 'SelfSubjectReview',
  'authentication.k8s.io/v1/TokenRequest': 'TokenRequest',
  'rbac.authorization.k8s.io/v1/Role': 'Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'ClusterRoleBinding',
  'v1/ResourceQuota': 'ResourceQuota',
  'scheduling.k8s.io/v1/PriorityClass': 'PriorityClass',
  'policy/v1/PodDisruptionBudget': 'PodDisruptionBudget',
  'certificates.k8s.io/v1/CertificateSigningRequest': 'CertificateSigningRequest',
};

/**
 * Fields that are pointers in Go (`*int32`, `*bool`): gogo-protobuf writes them only when set, so a
 * zero value on the wire is meaningful and kept. Every other zero/empty value is left out, as
 * encoding/json's omitempty does.
 */
export const POINTER_FIELDS = new Set([
  'replicas', 'minReplicas', 'parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'terminationGracePeriodSeconds',
  'successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'startingDeadlineSeconds', 'suspend', 'automountServiceAccountToken', 'immutable',
  'revisionHistoryLimit', 'progressDeadlineSeconds', 'ttlSecondsAfterFinished', 'targetCPUUtilizationPercentage', 'averageUtilization',
  'stabilizationWindowSeconds', 'manualSelector', 'enableServiceLinks', 'optional', 'defaultMode', 'mode', 'priority', 'tolerationSeconds',
  'allocateLoadBalancerNodePorts', 'deletionGracePeriodSeconds', 'controller', 'blockOwnerDeletion',
  // non-omitempty numbers in JSON (PriorityClass.value, HPAScalingPolicy.value)
  'value',
  'expirationSeconds',
]);
