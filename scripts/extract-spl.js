#!/usr/bin/env node
// Extracts genuine Solana program images (sBPF ELFs) embedded in npm native modules and checks
// each against its SHA-256 (manifest: ../shared/svm/SPL-PROGRAMS.md). Usage:
//   node extract-spl.js <node_modules dir> <output dir>
// Each image is first looked for at its manifest offset (ELF magic + computed length + hash);
// if that fails (a rebuilt package), the whole file is scanned for sBPF ELF headers and the image
// whose computed length and hash match is taken. Exit status 1 if any image is missing/mismatched.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const LITESVM = 'litesvm-linux-x64-gnu/litesvm.linux-x64-gnu.node';
const BANKRUN = 'solana-bankrun-linux-x64-gnu/solana-bankrun.linux-x64-gnu.node';
// [output name, module, offset, length, sha256]
const MANIFEST = [
  ['spl_token-3.5.0', LITESVM, 8690786, 134080, '7b44674b9704fa7640fbebfac68389f338b500b8c2bc29175c27ed66838b5a3c'],
  ['p_token', LITESVM, 8824866, 100312, '53e587eee80c786bcfba1450397d92179a0f01def776d19fb4ddf690d64431cc'],
  ['spl_token_2022-11.0.0', LITESVM, 8925221, 615936, '495e9d7680dd555cb126a6a8e5464af5be9b01f02f2cd70634352722d22e3cad'],
  ['spl_memo-1.0.0', LITESVM, 9541200, 17280, '67053ed6b0c4b2ff0cead4dc469b2dd30847264b28164ef5e5263d5cf1258c6e'],
  ['spl_memo-4.0.0', LITESVM, 9558523, 2304, '0c92063c6838d9ad8af50aaefea9a166b5bb41a2bfa2bc6327d7db320849bc78'],
  ['spl_associated_token_account-1.1.1', LITESVM, 9560871, 105032, '6804554e69fd3a58caa191dc4a58f4c67223d30ca28ab8987f39fc18d2f7374d'],
  ['address_lookup_table', LITESVM, 9665903, 170144, 'e264e1537c5ee1252aae1fa476c25000b641357bc6af4efab65f314160a99570'],
  ['core_bpf_stake-5.0.0', LITESVM, 9836047, 202280, 'c9cba7f3d9fe0fac1f32e7a5e012284104a25d27ec97d6eb6d99a3afcd2352a8'],
  ['spl_token-3.5.0-bankrun', BANKRUN, 12494184, 133352, '18264f491c7e0ad056dd36f42f8de6d1fedf9f044d1f521e714b4dc6b61594b6'],
  ['spl_token_2022-1.0.0', BANKRUN, 12627536, 535256, '47181a65d6ee7d7a100480db2efaa21fcfff2be1af49155c30975e9fe5c0c9d6'],
  ['spl_memo-1.0.0-bankrun', BANKRUN, 13162792, 17072, '9b097bd59cc2b02b0d78e8d1cdb2b5f92292b9507a4fd3c1b436c61c1931c63b'],
  ['spl_memo-3.0.0', BANKRUN, 13179864, 74800, 'f520eaf096361abbb9639ea4dc3e5388a87b9330e121f476607b87c46ef67954'],
  ['spl_associated_token_account-1.1.1-bankrun', BANKRUN, 13254664, 105032, 'e5e7aed11ad3969eea2aa76c8b4d2e73ea25be7e6b5cce989b7710cf5452496e'],
];

// True length of an ELF64 LE image starting at `off`: the largest extent of its header, program
// header table, section header table, segments and (non-NOBITS) sections. 0 if not an sBPF ELF.
function elfLength(buf, off) {
  if (off + 64 > buf.length) return 0;
  if (buf.readUInt32BE(off) !== 0x7f454c46 || buf[off + 4] !== 2 || buf[off + 5] !== 1) return 0;
  const machine = buf.readUInt16LE(off + 18);
  if (machine !== 247 && machine !== 263) return 0;
  const u64 = (o) => Number(buf.readBigUInt64LE(off + o));
  const phoff = u64(32), shoff = u64(40);
  const phentsize = buf.readUInt16LE(off + 54), phnum = buf.readUInt16LE(off + 56);
  const shentsize = buf.readUInt16LE(off + 58), shnum = buf.readUInt16LE(off + 60);
  let end = 64;
  const extend = (e) => { if (e > end) end = e; };
  extend(phoff + phnum * phentsize);
  extend(shoff + shnum * shentsize);
  if (off + end > buf.length) return 0;
  for (let i = 0; i < phnum && phentsize >= 56; i++) {
    const p = phoff + i * phentsize;
    extend(u64(p + 8) + u64(p + 32));           // p_offset + p_filesz
  }
  for (let i = 0; i < shnum && shentsize >= 64; i++) {
    const s = shoff + i * shentsize;
    if (buf.readUInt32LE(off + s + 4) !== 8)    // SHT_NOBITS occupies no file bytes
      extend(u64(s + 24) + u64(s + 32));         // sh_offset + sh_size
  }
  return off + end <= buf.length ? end : 0;
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

function main() {
  const [modules, outDir] = process.argv.slice(2);
  if (!modules || !outDir) { console.error('usage: extract-spl.js <node_modules> <outdir>'); process.exit(2); }
  fs.mkdirSync(outDir, { recursive: true });
  const files = new Map();
  const scanned = new Map();   // module -> [{off, len, hash}] (built lazily on fallback)
  let ok = 0, bad = 0;
  for (const [name, mod, off, len, want] of MANIFEST) {
    if (!files.has(mod)) files.set(mod, fs.readFileSync(path.join(modules, mod)));
    const buf = files.get(mod);
    let image = null;
    const l = elfLength(buf, off);
    if (l === len && sha256(buf.subarray(off, off + l)) === want) image = buf.subarray(off, off + l);
    if (!image) {
      if (!scanned.has(mod)) {
        const found = [];
        for (let i = buf.indexOf('\x7fELF', 1); i >= 0; i = buf.indexOf('\x7fELF', i + 1)) {
          const n = elfLength(buf, i);
          if (n) found.push({ off: i, len: n, hash: sha256(buf.subarray(i, i + n)) });
        }
        scanned.set(mod, found);
      }
      const hit = scanned.get(mod).find((f) => f.hash === want);
      if (hit) { image = buf.subarray(hit.off, hit.off + hit.len); console.log(`${name}: found by scan at offset ${hit.off}`); }
    }
    if (!image) { console.error(`${name}: NOT FOUND (sha256 ${want})`); bad++; continue; }
    fs.writeFileSync(path.join(outDir, name + '.so'), image);
    console.log(`${name}.so ${image.length} bytes sha256 ok`);
    ok++;
  }
  console.log(`${ok} passed, ${bad} failed`);
  process.exit(bad ? 1 : 0);
}
main();
