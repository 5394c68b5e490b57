// A minimal response value for handlers that compute whole answers (discovery, OpenAPI, ...).
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}
