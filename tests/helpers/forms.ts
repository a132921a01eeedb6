/**
 * Form bodies as a server sees them: the media type, the fields in order (parsed by undici's
 * Request.formData(), a real url-encoded and multipart parser) and, for multipart, each part's headers
 * (read from the raw body), so tests can check that text parts carry no filename or Content-Type.
 */
export interface ParsedForm {
  mediaType: string;
  fields: [string, string][];
  /** Multipart only: per part, its Content-Disposition and Content-Type headers as sent. */
  parts?: { disposition: string; contentType: string | null }[];
}

export async function parseForm(contentType: string | undefined, body: string): Promise<ParsedForm> {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const data = await new Request('http://form.invalid/', { method: 'POST', headers: { 'content-type': contentType ?? '' }, body }).formData();
  const fields: [string, string][] = [];
  data.forEach((v, k) => fields.push([k, typeof v === 'string' ? v : `<file ${v.name}>`]));
  if (mediaType !== 'multipart/form-data') return { mediaType, fields };
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!boundary) throw new Error(`multipart without a boundary: ${contentType}`);
  const parts = body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((raw) => {
      const head = raw.slice(2, raw.indexOf('\r\n\r\n')).split('\r\n');
      const header = (name: string) => head.find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? null;
      return { disposition: header('content-disposition') ?? '', contentType: header('content-type') };
    });
  return { mediaType, fields, parts };
}
