// kube-apiserver's flags for request timeouts, auditing and encryption at rest, shared by
// `kubesim apiserver` and `kubesim up`, with Kubernetes' names and defaults.
import type { Command } from 'commander';
import type { ApiServerOptions } from '../cluster/index.ts';
import { durationSeconds, nonNegative } from './component.ts';

export interface AuditFlags {
  requestTimeout: string;
  auditPolicyFile?: string;
  auditLogPath?: string;
  auditLogMaxsize?: string;
  auditLogMaxbackup?: string;
  auditLogMaxage?: string;
  encryptionProviderConfig?: string;
}

export function addAuditOptions(cmd: Command): Command {
  return cmd
    .option('--request-timeout <duration>', 'how long a request that is not long-running (watch, exec, logs) may take before it answers 504 (0 = no limit)', '1m0s')
    .option('--audit-policy-file <path>', 'audit.k8s.io/v1 Policy: which requests are audited, at what level')
    .option('--audit-log-path <path>', 'write audit.k8s.io/v1 events there as JSON lines (- = stdout); needs --audit-policy-file')
    .option('--audit-log-maxsize <MB>', 'megabytes of the audit log before it is rotated (0 = 100)', '0')
    .option('--audit-log-maxbackup <n>', 'rotated audit log files kept (0 = all)', '0')
    .option('--audit-log-maxage <days>', 'days rotated audit log files are kept (0 = no limit)', '0')
    .option('--encryption-provider-config <path>', 'apiserver.config.k8s.io/v1 EncryptionConfiguration: resources encrypted at rest (aesgcm, aescbc, secretbox, identity)');
}

export function auditSettings(o: AuditFlags): Partial<ApiServerOptions> {
  return {
    requestTimeoutMs: Math.round(durationSeconds('request-timeout', o.requestTimeout) * 1000),
    auditPolicyFile: o.auditPolicyFile,
    auditLogPath: o.auditLogPath,
    auditLogMaxSize: nonNegative('audit-log-maxsize', o.auditLogMaxsize ?? '0'),
    auditLogMaxBackup: nonNegative('audit-log-maxbackup', o.auditLogMaxbackup ?? '0'),
    auditLogMaxAge: nonNegative('audit-log-maxage', o.auditLogMaxage ?? '0'),
    encryptionProviderConfig: o.encryptionProviderConfig,
  };
}
