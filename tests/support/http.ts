/** Multipart upload helpers over Node's fetch (FormData + Blob), as a browser or curl -F sends them. */
export interface UploadPart {
  field: string;
  bytes: Buffer;
  filename?: string;
  type?: string;
}

export async function postImage(url: string, parts: UploadPart[] | UploadPart, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}) {
  const form = new FormData();
  for (const p of Array.isArray(parts) ? parts : [parts]) {
    form.append(p.field, new Blob([new Uint8Array(p.bytes)], { type: p.type ?? 'application/octet-stream' }), p.filename ?? 'upload.jpg');
  }
  const res = await fetch(url, { method: 'POST', body: form, headers: init.headers, signal: init.signal });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}
