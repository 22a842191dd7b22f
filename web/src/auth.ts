// Sign-in for a wall screen: the OAuth 2.0 device authorization grant (RFC 8628) against the
// hub's own authorization server, then rotating refresh tokens. The refresh token is kept in
// localStorage (a screen must survive a reload or a power cut); the access token only in memory.
// Tokens never go into a URL.

const CLIENT_ID = "pilehub-screen";
const STORAGE_KEY = "pilehub.screen";
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_AHEAD_MS = 60_000;

export interface DeviceCode {
  userCode: string;
  verificationUri: string;
}

export type AuthState = "signing-in" | "signed-in" | "revoked" | "error";

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  scope?: string;
}

interface OAuthError {
  error?: string;
}

async function postForm(
  path: string,
  form: Record<string, string>,
): Promise<{ status: number; body: TokenAnswer & OAuthError & Record<string, unknown>; retryAfterMs: number }> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams(form).toString(),
    cache: "no-store",
    credentials: "omit",
  });
  let body: TokenAnswer & OAuthError & Record<string, unknown>;
  try {
    body = (await response.json()) as TokenAnswer & OAuthError & Record<string, unknown>;
  } catch {
    body = { access_token: "", expires_in: 0 };
  }
  const retryAfter = Number(response.headers.get("Retry-After"));
  return { status: response.status, body, retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : 0 };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wait before retry `attempt`: exponential up to 15 s, never sooner than the hub's Retry-After,
 * spread by ±50 %. Without the spread, screens that start together (power back in an operations
 * centre behind one address) retry together and keep meeting the token endpoint's rate limit. */
function backoff(attempt: number, retryAfterMs = 0): Promise<void> {
  const base = Math.max(retryAfterMs, Math.min(15_000, 1000 * 2 ** attempt));
  return sleep(base * (0.5 + Math.random()));
}

export class Auth {
  private access: string | null = null;
  private expiresAt = 0;
  private scopes = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<boolean> | null = null;
  private signingIn: Promise<void> | null = null;
  private revoked = false;

  constructor(
    private readonly onState: (state: AuthState) => void,
    private readonly onCode: (code: DeviceCode | null, note: "new" | "expired" | "denied") => void,
  ) {}

  get scope(): ReadonlySet<string> {
    return this.scopes;
  }

  /** A valid access token, signing in (device flow) or refreshing first if need be. */
  async token(): Promise<string> {
    for (;;) {
      if (this.access && Date.now() < this.expiresAt - 5_000) return this.access;
      if (this.stored()) {
        if (await this.refresh()) continue;
      }
      await this.signIn();
    }
  }

  /** The hub refused the current access token (401): refresh, else sign in again. */
  async rejected(): Promise<void> {
    this.access = null;
  }

  private stored(): string | null {
    try {
      const raw = localStorage.getItem(STORAGE_KEY);
      if (!raw) return null;
      const parsed = JSON.parse(raw) as { refresh_token?: unknown };
      return typeof parsed.refresh_token === "string" ? parsed.refresh_token : null;
    } catch {
      return null;
    }
  }

  private store(refreshToken: string | null): void {
    try {
      if (refreshToken) localStorage.setItem(STORAGE_KEY, JSON.stringify({ refresh_token: refreshToken }));
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // storage disabled: the screen signs in again after a reload
    }
  }

  private accept(answer: TokenAnswer): void {
    this.access = answer.access_token;
    this.expiresAt = Date.now() + answer.expires_in * 1000;
    if (answer.scope !== undefined) this.scopes = new Set(answer.scope.split(" ").filter(Boolean));
    if (answer.refresh_token) this.store(answer.refresh_token);
    this.revoked = false;
    clearTimeout(this.timer);
    // Refresh a minute before expiry, so the live stream reconnects with a fresh token.
    this.timer = setTimeout(() => void this.refresh(), Math.max(5_000, answer.expires_in * 1000 - REFRESH_AHEAD_MS));
    this.onState("signed-in");
  }

  /** One refresh at a time (rotation: a refresh token works once). False when there is none
   * or it was refused. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.stored();
    if (!refreshToken) return false;
    for (let attempt = 0; ; attempt++) {
      let answer;
      try {
        answer = await postForm("/oauth/token", {
          grant_type: "refresh_token",
          refresh_token: refreshToken,
          client_id: CLIENT_ID,
        });
      } catch {
        // The hub is unreachable (a restart, a network drop): keep the token and retry.
        await backoff(attempt);
        continue;
      }
      if (answer.status === 200) {
        this.accept(answer.body);
        return true;
      }
      if (answer.body.error === "invalid_grant" || answer.body.error === "invalid_client") {
        // Revoked, expired, or reused: this screen must be approved again.
        this.store(null);
        this.access = null;
        this.revoked = true;
        this.onState("revoked");
        return false;
      }
      await backoff(attempt, answer.retryAfterMs);
    }
  }

  private signIn(): Promise<void> {
    if (!this.signingIn) {
      this.signingIn = this.deviceFlow().finally(() => {
        this.signingIn = null;
      });
    }
    return this.signingIn;
  }

  private async deviceFlow(): Promise<void> {
    let note: "new" | "expired" | "denied" = "new";
    for (let attempt = 0; ; ) {
      if (!this.revoked) this.onState("signing-in");
      let started;
      try {
        started = await postForm("/oauth/device_authorization", { client_id: CLIENT_ID });
      } catch {
        started = null;
      }
      if (!started || started.status !== 200) {
        this.onState("error");
        await backoff(attempt++, started?.retryAfterMs);
        continue;
      }
      attempt = 0;
      const body = started.body;
      const deviceCode = String(body["device_code"]);
      const expiresAt = Date.now() + Number(body["expires_in"] ?? 600) * 1000;
      let interval = Number(body["interval"] ?? 5) * 1000;
      this.onCode({ userCode: String(body["user_code"]), verificationUri: String(body["verification_uri"]) }, note);
      while (Date.now() < expiresAt) {
        await sleep(interval);
        let answer;
        try {
          answer = await postForm("/oauth/token", { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: CLIENT_ID });
        } catch {
          continue; // unreachable: keep polling at the interval
        }
        if (answer.status === 200) {
          this.onCode(null, "new");
          this.accept(answer.body);
          return;
        }
        if (answer.status === 429 || answer.status >= 500) {
          // Rate-limited or busy: the code is still good, so keep it and poll later.
          await backoff(0, answer.retryAfterMs);
          continue;
        }
        const error = answer.body.error;
        if (error === "authorization_pending") continue;
        if (error === "slow_down") {
          interval += 5_000; // RFC 8628 §3.5
          continue;
        }
        note = error === "access_denied" ? "denied" : "expired";
        break;
      }
      if (note === "new") note = "expired";
    }
  }
}
