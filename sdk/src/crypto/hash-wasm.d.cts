// hash-wasm ships types for its index only; this is the shape of its single-algorithm SHA-256 build.
declare module 'hash-wasm/dist/sha256.umd.min.js' {
  const sha256Build: {
    createSHA256(): Promise<{ update(data: Uint8Array): unknown; digest(format: 'binary'): Uint8Array }>
  }
  export default sha256Build
}
