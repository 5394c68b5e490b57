// What startApiServer wires for tokens: the ServiceAccount token issuer (always: TokenRequest is
// served, an in-memory server without a key signs with an ephemeral one), the ServiceAccount token
// authenticator (when a key is configured or kept in the data dir), the external JWT authenticators
// of an AuthenticationConfiguration, and — while nothing else authenticates — today's rule that a
// request without credentials (or with the kubeconfig's admin token) is the cluster admin, so that
// only presented tokens are checked.
import type { Logger } from 'pino';
import type { WatchCache } from '../../storage/interface.ts';
import { objectKey } from '../../storage/interface.ts';
import { anonymousAdmin, type Authenticator } from '../pipeline/index.ts';
import { serviceAccountAuthenticator, type ObjectGetter } from '../authn/serviceaccount.ts';
import { jwtAuthenticatorsFromConfig, type AuthenticationConfigInput } from '../authn/jwt.ts';
import { createTokenIssuer, type TokenIssuer, type TokenIssuerOptions } from './issuer.ts';

export { createTokenIssuer, dataDirSigningKey, type TokenIssuer, type TokenIssuerOptions } from './issuer.ts';

export interface TokenAuthSetup {
  issuer: TokenIssuer;
  /** To append to the pipeline's authenticators, in this order. */
  authenticators: Authenticator[];
}

/**
 * A request with no Authorization header — or with the kubeconfig's adminToken — is the cluster
 * admin: the library's default while no other authenticator is configured.
 */
export function credentialFreeAdmin(adminToken?: string): Authenticator {
  return {
    name: 'CredentialFreeAdmin',
    authenticate: (req) => {
      const h = req.headers.authorization;
      return h === undefined || (adminToken !== undefined && h === `Bearer ${adminToken}`) ? anonymousAdmin : undefined;
    },
  };
}

export async function setupTokenAuth(o: {
  issuer: TokenIssuerOptions;
  authenticationConfig?: AuthenticationConfigInput;
  store: WatchCache;
  logger: Logger;
  /** Whether the caller configured authenticators of its own (then no credential-free admin). */
  othersConfigured: boolean;
  /** The kubeconfig's admin token (ApiServerOptions.adminToken), admitted as the admin by the credential-free rule. */
  adminToken?: string;
}): Promise<TokenAuthSetup> {
  const issuer = await createTokenIssuer(o.issuer);
  const get: ObjectGetter = async (plural, namespace, name) => (await o.store.get(objectKey('', plural, namespace, name)))?.object;
  const authenticators: Authenticator[] = [];
  if (issuer.durable) {
    authenticators.push(serviceAccountAuthenticator({ tokens: issuer, get, onReject: (reason) => o.logger.debug({ reason }, 'service account token rejected') }));
  }
  if (o.authenticationConfig !== undefined) authenticators.push(...(await jwtAuthenticatorsFromConfig(o.authenticationConfig, { logger: o.logger })));
  if (authenticators.length && !o.othersConfigured) authenticators.push(credentialFreeAdmin(o.adminToken));
  return { issuer, authenticators };
}
