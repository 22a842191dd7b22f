// The contract between the screen's shell (web/src/*.ts) and its analytics panels
// (web/src/panels/*.ts). The shell owns sign-in, the area, the language and the live feed;
// a panel only reads the hub's REST API through `api` and draws into its element.

export type Lang = "zh-CN" | "en";

export interface PanelContext {
  /** GET a hub path such as `/v1/energy?area=...` with the screen's token; parsed JSON. Throws
   * `ApiError` (status + problem+json title/detail) on a non-2xx answer. */
  api: <T>(path: string) => Promise<T>;
  /** The area on screen (a jurisdiction code) and its level. */
  area: string;
  level: "city" | "district" | "street" | "community";
  lang: Lang;
  /** Today's date in Asia/Shanghai, `YYYY-MM-DD` (the hub's analytics take local dates). */
  today: string;
}

export interface Panel {
  /** Fetch and draw for this context; called on first show, area change, language change, and
   * periodically (every few minutes) by the shell. Must not throw: show the error in the panel. */
  update(ctx: PanelContext): Promise<void>;
  /** The panel's element changed size. */
  resize(): void;
  dispose(): void;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}
