/**
 * Calls from one component to another over HTTP(S): keep-alive connections, the shared bearer
 * token or a client certificate, one deadline per exchange. Bodies are JSON or raw bytes.
 */
import http from 'node:http';
import https from 'node:https';

export interface Answer {
  status: number;
  type: string;
  body: Buffer;
}

export class ComponentClient {
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  constructor(
    endpoint: string,
    private readonly token: string | undefined,
    /** HTTPS with these options (a CA, a client certificate and key); an endpoint without a scheme is then https */
    tls?: https.AgentOptions,
    private readonly timeoutMs = 10_000,
  ) {
    this.base = new URL(/^https?:\/\//.test(endpoint) ? endpoint : `${tls ? 'https' : 'http'}://${endpoint}`);
    this.secure = this.base.protocol === 'https:';
    this.agent = this.secure ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true });
  }

  /** `body`: raw bytes sent as `type`, or a value sent as JSON. Rejects only when no answer came. */
  request(method: string, path: string, body?: unknown, type = 'application/octet-stream'): Promise<Answer> {
    const raw = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const contentType = Buffer.isBuffer(body) ? type : 'application/json';
    return new Promise<Answer>((resolve, reject) => {
      const req = (this.secure ? https : http).request(
        new URL(path, this.base),
        {
          method,
          agent: this.agent,
          headers: {
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
            ...(raw ? { 'content-type': contentType, 'content-length': raw.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      req.end(raw);
    });
  }

  /** A JSON exchange that must succeed: the parsed answer, or an error naming the status and message. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const a = await this.request(method, path, body);
    const parsed = a.body.length > 0 && a.type.includes('json') ? (JSON.parse(a.body.toString('utf8')) as unknown) : undefined;
    if (a.status < 200 || a.status >= 300) {
      const message = (parsed as { message?: unknown } | undefined)?.message;
      throw new Error(`${this.base.host} answered ${a.status}${typeof message === 'string' ? `: ${message}` : ''}`);
    }
    return parsed as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
