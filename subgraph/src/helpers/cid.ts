/** String forms of binary CIDs: CIDv1 as multibase base32 (`b` + lowercase RFC 4648, no padding), CIDv0 as base58btc. */
import { Bytes } from "@graphprotocol/graph-ts";

const BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base32(bytes: Bytes): string {
  let out = "";
  let buffer: u32 = 0;
  let bits: u32 = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = (buffer << 8) | (bytes[i] as u32);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET.charAt(((buffer >> bits) & 31) as i32);
    }
    // Keep only the bits not yet written, so the buffer never overflows.
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET.charAt(((buffer << (5 - bits)) & 31) as i32);
  return out;
}

function base58(bytes: Bytes): string {
  // Repeated division of the big-endian number by 58; leading zero bytes become "1".
  let digits = new Array<i32>();
  for (let i = 0; i < bytes.length; i++) {
    let carry = bytes[i] as i32;
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j] << 8;
      digits[j] = carry % 58;
      carry = carry / 58;
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = carry / 58;
    }
  }
  let out = "";
  for (let i = 0; i < bytes.length && bytes[i] == 0; i++) out += "1";
  for (let i = digits.length - 1; i >= 0; i--) out += BASE58_ALPHABET.charAt(digits[i]);
  return out;
}

/** The canonical string of a binary CID: `bafy…` for CIDv1, `Qm…` for a CIDv0 multihash. */
export function cidToString(cid: Bytes): string {
  if (cid.length == 34 && cid[0] == 0x12 && cid[1] == 0x20) return base58(cid);
  return "b" + base32(cid);
}

/** The CID of an `ipfs://<cid>[/path]` URI, or null for any other URI. */
export function cidOfIpfsURI(uri: string): string | null {
  if (!uri.startsWith("ipfs://")) return null;
  let rest = uri.slice(7);
  let end = rest.length;
  let slash = rest.indexOf("/");
  if (slash >= 0) end = slash;
  let query = rest.indexOf("?");
  if (query >= 0 && query < end) end = query;
  if (end == 0) return null;
  return rest.slice(0, end);
}
