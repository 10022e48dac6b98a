/** Unix time in seconds: what the providers put in `created` / `created_at`. */
export function nowInSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
