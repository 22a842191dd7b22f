// The hub's REST API with the screen's token. Errors are RFC 9457 problem+json: an ApiError
// carries its status, title and detail.
import type { Auth } from "./auth";
import { ApiError } from "./panels/contract";

export { ApiError };

async function problem(response: Response): Promise<ApiError> {
  let title = response.statusText;
  let detail = "";
  try {
    const body = (await response.json()) as { title?: string; detail?: string | null };
    title = body.title ?? title;
    detail = body.detail ?? "";
  } catch {
    // not problem+json (a proxy's page): status and status text
  }
  return new ApiError(response.status, title, detail);
}

export class Api {
  constructor(private readonly auth: Auth) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.auth.token();
      const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: "application/json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        cache: "no-store",
        credentials: "omit",
      });
      if (response.status === 401 && attempt === 0) {
        // Expired or revoked: one retry with a refreshed token (or after signing in again).
        await this.auth.rejected();
        continue;
      }
      if (!response.ok) throw await problem(response);
      return (await response.json()) as T;
    }
  }
}
