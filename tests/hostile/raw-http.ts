import { connect } from 'node:net';

export interface RawResult {
  /** Status of the first response line, or undefined when the server closed without answering. */
  status: number | undefined;
  /** Raw response (head and body), truncated. */
  response: string;
  /** From connect until the server closed the socket. */
  closedAfterMs: number;
  /** Bytes this client managed to send. */
  sent: number;
}

export interface RawOptions {
  /** After `head`, keep writing one byte every trickleMs until the server closes the socket. */
  trickleMs?: number;
  /** Give up (and fail the caller's expectation) after this long. */
  giveUpMs?: number;
}

/**
 * Writes bytes on a plain TCP socket, for what fetch cannot send: headers over node's limit,
 * truncated bodies, and slowloris clients that trickle a request byte by byte.
 */
export function rawRequest(port: number, head: string | Buffer, opts: RawOptions = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const t0 = performance.now();
    let response = '';
    let sent = 0;
    let trickle: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => socket.destroy(), opts.giveUpMs ?? 20_000);
    socket.on('data', (d) => (response = (response + d.toString('latin1')).slice(0, 4096)));
    socket.on('error', () => undefined); // EPIPE/ECONNRESET once the server cuts us off
    socket.on('close', () => {
      clearTimeout(giveUp);
      clearInterval(trickle);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
      resolve({ status: m ? Number(m[1]) : undefined, response, closedAfterMs: performance.now() - t0, sent });
    });
    socket.on('connect', () => {
      const bytes = typeof head === 'string' ? Buffer.from(head, 'latin1') : head;
      socket.write(bytes, () => (sent += bytes.length));
      if (opts.trickleMs) {
        trickle = setInterval(() => {
          if (socket.writable) socket.write('x', () => sent++);
        }, opts.trickleMs);
      }
    });
  });
}

export const BOUNDARY = '----hostile-boundary-7d3f';

export function multipartPart(headers: string[], body: string): string {
  return `--${BOUNDARY}\r\n${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}

/** A complete HTTP/1.1 POST of a multipart body, Connection: close. */
export function multipartRequest(path: string, body: string, extraHeaders: string[] = []): string {
  return [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
    ...extraHeaders,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
