import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ApiKeyRing, presentedKey } from './api-keys';

/**
 * Who may do what. Clients (API_KEYS) predict; operators (ADMIN_KEYS, or DASHBOARD_USER /
 * DASHBOARD_PASSWORD) open the dashboard, /metrics and the detailed /health. A client key is never
 * an operator credential and an admin key never predicts, so a leaked client key exposes no other
 * client's jobs. With no credential configured at all, everything is open (a local trial).
 */
export type Identity =
  | { kind: 'anonymous' }
  /** Credentials were presented and match nothing (scheme: how the browser should be asked again). */
  | { kind: 'invalid'; scheme: 'Basic' | 'Bearer' }
  | { kind: 'client'; keyId: string }
  /** keyId: the admin key's id, or `dashboard-user` for the basic-auth pair. */
  | { kind: 'admin'; keyId: string };

export interface BasicCredentials {
  user: string;
  password: string;
}

export interface RoleOptions {
  apiKeys: readonly string[];
  adminKeys: readonly string[];
  /** DASHBOARD_USER / DASHBOARD_PASSWORD. */
  basic?: BasicCredentials;
}

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const same = (a: string, b: string) => timingSafeEqual(sha(a), sha(b));

/** `Authorization: Basic <user:password>`, decoded; undefined for any other header. */
export function basicCredentials(req: Request): BasicCredentials | undefined {
  const m = /^Basic[ \t]+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class Roles {
  readonly clients: ApiKeyRing;
  readonly admins: ApiKeyRing;
  private readonly basic: BasicCredentials | undefined;

  constructor(opts: RoleOptions) {
    this.clients = new ApiKeyRing(opts.apiKeys);
    this.admins = new ApiKeyRing(opts.adminKeys);
    this.basic = opts.basic;
  }

  /** Predictions need a client key (API_KEYS set). */
  get clientAuth(): boolean {
    return this.clients.enabled;
  }

  /** An operator credential exists (ADMIN_KEYS or the dashboard user). */
  get adminAuth(): boolean {
    return this.admins.enabled || this.basic !== undefined;
  }

  /** Any credential is configured: operator views are then closed to everyone else. */
  get anyAuth(): boolean {
    return this.clientAuth || this.adminAuth;
  }

  /**
   * The request's credentials: basic auth (the dashboard pair, or any user name with an admin or
   * client key as password, which is how a browser sends a key), else X-API-Key / Bearer. Every
   * comparison is of digests in constant time (ApiKeyRing).
   */
  identify(req: Request): Identity {
    const basic = basicCredentials(req);
    if (basic) {
      if (this.basic !== undefined && same(basic.user, this.basic.user) && same(basic.password, this.basic.password)) {
        return { kind: 'admin', keyId: 'dashboard-user' };
      }
      return this.byKey(basic.password, 'Basic');
    }
    const key = presentedKey(req);
    return key === undefined ? { kind: 'anonymous' } : this.byKey(key, 'Bearer');
  }

  private byKey(key: string, scheme: 'Basic' | 'Bearer'): Identity {
    const admin = this.admins.identify(key);
    if (admin !== undefined) return { kind: 'admin', keyId: admin };
    const client = this.clients.identify(key);
    if (client !== undefined) return { kind: 'client', keyId: client };
    return { kind: 'invalid', scheme };
  }
}
