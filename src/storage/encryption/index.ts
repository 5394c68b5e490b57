// Encryption at rest (kube-apiserver's --encryption-provider-config): the configuration, the value
// transformers, and the Store wrapper that applies them to every backend.
export {
  loadEncryptionConfiguration,
  parseEncryptionConfiguration,
  validateEncryptionConfiguration,
  type EncryptionConfiguration,
  type ProviderConfiguration,
  type ResourceConfiguration,
} from './config.ts';
export { EncryptingStore, isEnvelope, type Envelope } from './store.ts';
