// Real model files written on the fly: an MLP in safetensors format with its card and config, a
// tokenizer folder. Deterministic from a seed, so every run lists the same bytes.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** mulberry32: a tiny seeded generator, enough for plausible weights. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Tensor = { name: string; shape: number[] }

/** The safetensors layout: u64 LE header length, a JSON header (8-byte aligned), then raw little-endian float32 data. */
export function safetensors(tensors: Tensor[], seed: number, metadata: Record<string, string> = {}): Buffer {
  const next = random(seed)
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...metadata } }
  const datas: Buffer[] = []
  let offset = 0
  for (const { name, shape } of tensors) {
    const count = shape.reduce((a, b) => a * b, 1)
    const values = new Float32Array(count)
    const scale = Math.sqrt(2 / (shape[1] ?? shape[0] ?? 1)) // He initialisation
    for (let i = 0; i < count; i++) values[i] = (next() * 2 - 1) * scale
    datas.push(Buffer.from(values.buffer))
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + values.byteLength] }
    offset += values.byteLength
  }
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - (json.length % 8)) % 8)
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)))
  return Buffer.concat([length, Buffer.from(json), ...datas])
}

/** A model card: YAML front matter and the sections evaluators look for. */
function card(front: Record<string, string | string[]>, title: string, sections: { uses: string; limitations: string; data: string; evaluation: string }) {
  const yaml = Object.entries(front)
    .map(([k, v]) => (Array.isArray(v) ? `${k}:\n${v.map((x) => `  - ${x}`).join('\n')}` : `${k}: ${v}`))
    .join('\n')
  return `---\n${yaml}\n---\n\n# ${title}\n\n## Intended uses\n${sections.uses}\n\n## Limitations\n${sections.limitations}\n\n## Training data\n${sections.data}\n\n## Evaluation\n${sections.evaluation}\n`
}

/** A 784-`hidden`-10 MLP digit classifier: model.safetensors, config.json, README.md (the model card). */
export async function writeDigitMlp(dir: string, { hidden = 1024, seed = 1, version = '1.0.0' } = {}) {
  await mkdir(dir, { recursive: true })
  const tensors = [
    { name: 'fc1.weight', shape: [hidden, 784] },
    { name: 'fc1.bias', shape: [hidden] },
    { name: 'fc2.weight', shape: [10, hidden] },
    { name: 'fc2.bias', shape: [10] },
  ]
  await writeFile(join(dir, 'model.safetensors'), safetensors(tensors, seed, { version }))
  await writeFile(join(dir, 'config.json'), `${JSON.stringify({ architecture: 'mlp', input_size: 784, hidden_size: hidden, num_labels: 10, activation: 'relu', version }, null, 2)}\n`)
  await writeFile(
    join(dir, 'README.md'),
    card({ license: 'mit', pipeline_tag: 'image-classification', tags: ['vision', 'mnist', 'mlp'], library_name: 'safetensors' }, `MNIST digit MLP ${version}`, {
      uses: `Classifying 28×28 grey handwritten digits with a two-layer perceptron (784 → ${hidden} → 10, ReLU). Input: flattened pixels scaled to [0, 1]; output: 10 logits.`,
      limitations: 'Centred single digits only; no rotation invariance.',
      data: 'MNIST training set (60,000 images).',
      evaluation: '98.1% accuracy on the MNIST test set.',
    }),
  )
  return dir
}

/** A WordPiece tokenizer folder: vocab.txt, tokenizer.json, tokenizer_config.json, special_tokens_map.json, README.md. */
export async function writeTokenizer(dir: string, { size = 30_000, seed = 2 } = {}) {
  await mkdir(dir, { recursive: true })
  const next = random(seed)
  const letters = 'abcdefghijklmnopqrstuvwxyz'
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
  const vocab = new Set(special)
  while (vocab.size < size) {
    const length = 2 + Math.floor(next() * 7)
    let piece = next() < 0.3 ? '##' : ''
    for (let i = 0; i < length; i++) piece += letters[Math.floor(next() * 26)]
    vocab.add(piece)
  }
  const tokens = [...vocab]
  await writeFile(join(dir, 'vocab.txt'), `${tokens.join('\n')}\n`)
  const model = { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(tokens.map((t, i) => [t, i])) }
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify({ version: '1.0', normalizer: { type: 'BertNormalizer', lowercase: true }, pre_tokenizer: { type: 'BertPreTokenizer' }, model }))
  await writeFile(join(dir, 'tokenizer_config.json'), `${JSON.stringify({ do_lower_case: true, model_max_length: 512, tokenizer_class: 'BertTokenizer' }, null, 2)}\n`)
  await writeFile(join(dir, 'special_tokens_map.json'), `${JSON.stringify({ unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' }, null, 2)}\n`)
  await writeFile(
    join(dir, 'README.md'),
    card({ license: 'apache-2.0', pipeline_tag: 'fill-mask', tags: ['nlp', 'tokenizer'] }, `WordPiece tokenizer (${size} pieces)`, {
      uses: 'Tokenizing lower-cased English text for BERT-style encoders.',
      limitations: 'English only; accents stripped.',
      data: 'A synthetic corpus.',
      evaluation: 'Not applicable: a tokenizer has no accuracy of its own.',
    }),
  )
  return dir
}

/** Writes a model given as files in memory (the evaluator's samples) into a folder. */
export async function writeFiles(dir: string, files: { path: string; content: Uint8Array }[]) {
  for (const file of files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true })
    await writeFile(join(dir, file.path), file.content)
  }
  return dir
}
