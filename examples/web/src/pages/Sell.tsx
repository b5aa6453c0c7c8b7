import { useId, useState } from 'react'
import { parseUnits } from 'viem'
import { useConnection } from 'wagmi'
import { type PickedFile, filesFromDrop, filesFromInput } from '../files.ts'
import { useMarketplace, useSession } from '../client.ts'
import { useAction } from '../hooks.ts'
import { ActionButton, ErrorBox, ProgressBar } from '../ui.tsx'

type Fields = {
  name: string
  summary: string
  tags: string
  task: string
  license: string
  commercialUse: boolean
  description: string
  price: string
  semver: string
  changelog: string
}
const empty: Fields = { name: '', summary: '', tags: '', task: '', license: '', commercialUse: false, description: '', price: '', semver: '1.0.0', changelog: '' }
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/
const SPDX = /^[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*$/
const bytes = (s: string) => new TextEncoder().encode(s).length

/** Checks the form as the registry will, so nothing is uploaded or signed for a listing that would fail. */
function validate(fields: Fields, files: PickedFile[], newVersion: boolean): Partial<Record<keyof Fields | 'files', string>> {
  const errors: Partial<Record<keyof Fields | 'files', string>> = {}
  if (files.length === 0) errors.files = 'Add the model files (drop them or a folder, or choose them).'
  if (!SEMVER.test(fields.semver)) errors.semver = 'A semantic version, like 1.0.0.'
  if (bytes(fields.changelog) > 10_000) errors.changelog = 'At most 10,000 bytes.'
  if (newVersion) return errors
  if (!fields.name.trim() || bytes(fields.name) > 100) errors.name = 'A name of 1 to 100 bytes.'
  if (bytes(fields.summary) > 500) errors.summary = 'At most 500 bytes.'
  const tags = fields.tags.split(',').map((t) => t.trim()).filter(Boolean)
  if (tags.length > 16 || tags.some((t) => bytes(t) > 32)) errors.tags = 'Up to 16 tags of at most 32 bytes.'
  if (!fields.task.trim() || bytes(fields.task) > 64) errors.task = 'A task such as text-classification.'
  if (!SPDX.test(fields.license.trim())) errors.license = 'An SPDX identifier such as Apache-2.0 or MIT.'
  try {
    if (parseUnits(fields.price.trim() || 'x', 18) < 0n) throw new Error()
  } catch {
    errors.price = 'A price in tokens, like 10 or 2.5 (0 for a free, public model).'
  }
  return errors
}

/** Hugging Face writes licenses in lower case; the registry takes SPDX ids. The common ones, spelled as SPDX does. */
const spdx: Record<string, string> = {
  'apache-2.0': 'Apache-2.0',
  mit: 'MIT',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  'gpl-2.0': 'GPL-2.0-only',
  'gpl-3.0': 'GPL-3.0-only',
  'lgpl-3.0': 'LGPL-3.0-only',
  'agpl-3.0': 'AGPL-3.0-only',
  'mpl-2.0': 'MPL-2.0',
  'cc0-1.0': 'CC0-1.0',
  'cc-by-4.0': 'CC-BY-4.0',
  'cc-by-sa-4.0': 'CC-BY-SA-4.0',
  'cc-by-nc-4.0': 'CC-BY-NC-4.0',
  'cc-by-nc-sa-4.0': 'CC-BY-NC-SA-4.0',
  unlicense: 'Unlicense',
}

type FrontMatter = { model_name?: unknown; pipeline_tag?: unknown; license?: unknown; tags?: unknown; summary?: unknown; description?: unknown }

/**
 * The model card from the picked files: a README.md at the top of the folder is the card, as on Hugging
 * Face, and its YAML front matter fills what the form leaves empty (name from `model_name` or the first
 * heading, task from `pipeline_tag`, license, tags, summary). Returns the names of the fields it filled.
 */
async function fromReadme(files: PickedFile[], fields: Fields): Promise<{ fields: Fields; filled: string[] } | undefined> {
  const readme = files.find((f) => f.path.toLowerCase() === 'readme.md')
  if (!readme) return undefined
  const text = await readme.file.text()
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text)
  let meta: FrontMatter = {}
  if (match) {
    // the YAML parser loads only for a README that has front matter
    const { parse } = await import('yaml')
    try {
      const parsed: unknown = parse(match[1] ?? '')
      if (parsed && typeof parsed === 'object') meta = parsed as FrontMatter
    } catch {
      // front matter that is not YAML fills nothing; the card is still the README
    }
  }
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '')
  const heading = /^#\s+(.+)$/m.exec(text.slice(match?.[0].length ?? 0))?.[1]?.trim() ?? ''
  const license = str(meta.license)
  const tags = (Array.isArray(meta.tags) ? meta.tags : typeof meta.tags === 'string' ? [meta.tags] : []).map(str).filter(Boolean).slice(0, 16)
  const found: Partial<Record<keyof Fields, string>> = {
    name: str(meta.model_name) || heading,
    summary: str(meta.summary) || str(meta.description),
    task: str(meta.pipeline_tag),
    license: spdx[license.toLowerCase()] ?? license,
    tags: tags.join(', '),
    description: text,
  }
  const next = { ...fields }
  const filled: string[] = []
  for (const [key, value] of Object.entries(found) as [keyof Fields, string][]) {
    if (!value || (key !== 'description' && String(next[key]).trim())) continue
    ;(next as Record<string, unknown>)[key] = value
    filled.push(key === 'description' ? 'model card' : key)
  }
  return { fields: next, filled }
}

export default function Sell({ modelId }: { modelId?: bigint }) {
  const client = useMarketplace()
  const { address } = useConnection()
  const session = useSession()
  const id = useId()
  const [fields, setFields] = useState<Fields>(empty)
  const [files, setFiles] = useState<PickedFile[]>([])
  const [errors, setErrors] = useState<ReturnType<typeof validate>>({})
  const [dragging, setDragging] = useState(false)
  const [progress, setProgress] = useState<{ bytes: number; totalBytes: number } | 'registering' | undefined>()
  const [fromCard, setFromCard] = useState<string[]>()
  // picked files replace the earlier ones; a README.md among them is the model card (a new listing only)
  const pick = async (picked: PickedFile[]) => {
    setFiles(picked)
    if (modelId !== undefined) return
    const card = await fromReadme(picked, fields)
    if (card) setFields(card.fields)
    setFromCard(card?.filled)
  }
  const publish = useAction(async () => {
    const onProgress = (p: { stage: 'adding'; bytes: number; totalBytes: number } | { stage: 'registering' }) =>
      setProgress(p.stage === 'registering' ? 'registering' : { bytes: p.bytes, totalBytes: p.totalBytes })
    const input = files.map((f) => ({ path: f.path, size: f.file.size, content: () => f.file.stream() }))
    if (modelId !== undefined)
      return { modelId, ...(await client.publishVersion({ modelId, files: input, semver: fields.semver, changelog: fields.changelog || undefined, onProgress })) }
    return client.listModel({
      name: fields.name.trim(),
      summary: fields.summary.trim(),
      tags: fields.tags.split(',').map((t) => t.trim()).filter(Boolean),
      task: fields.task.trim(),
      license: fields.license.trim(),
      commercialUse: fields.commercialUse,
      card: { description: fields.description },
      price: parseUnits(fields.price.trim(), 18),
      files: input,
      semver: fields.semver,
      changelog: fields.changelog || undefined,
      onProgress,
    })
  })

  const field = (key: keyof Fields, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        value={fields[key] as string}
        onChange={(e) => setFields({ ...fields, [key]: e.target.value })}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={errors[key] ? `${id}-${key}-error` : undefined}
        {...props}
      />
      {errors[key] ? (
        <span id={`${id}-${key}-error`} className="field-error">
          {errors[key]}
        </span>
      ) : null}
    </div>
  )

  const submit = (e: React.FormEvent) => {
    e.preventDefault()
    const found = validate(fields, files, modelId !== undefined)
    setErrors(found)
    if (Object.keys(found).length === 0) publish.run()
  }
  const total = files.reduce((n, f) => n + f.file.size, 0)

  return (
    <>
      <h1>{modelId === undefined ? 'Sell a model' : `Publish a new version of model #${modelId}`}</h1>
      {!address ? <p className="notice">Connect a wallet to list a model.</p> : !session ? <p className="notice">Sign in (top right) so the storage service accepts your files.</p> : null}
      <form onSubmit={submit} noValidate>
        <fieldset
          className={`dropzone${dragging ? ' dragging' : ''}`}
          // dropping is the pointer shortcut; keyboard users pick the same files with the two buttons inside
          aria-label="Model files"
          onDragOver={(e) => {
            e.preventDefault()
            setDragging(true)
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={async (e) => {
            e.preventDefault()
            setDragging(false)
            await pick(await filesFromDrop(e.dataTransfer))
          }}
        >
          <p>Drop model files or a folder here, or</p>
          <label className="button">
            choose files
            <input type="file" multiple className="visually-hidden" onChange={(e) => void pick(filesFromInput(e.target.files))} />
          </label>{' '}
          <label className="button">
            choose a folder
            <input
              type="file"
              className="visually-hidden"
              {...({ webkitdirectory: '' } as object)}
              onChange={(e) => void pick(filesFromInput(e.target.files))}
            />
          </label>
          {files.length ? (
            <p data-testid="picked">
              {files.length} file{files.length === 1 ? '' : 's'}, {(total / 1048576).toFixed(2)} MiB: {files.slice(0, 5).map((f) => f.path).join(', ')}
              {files.length > 5 ? '…' : ''}
            </p>
          ) : null}
          {errors.files ? <p className="field-error">{errors.files}</p> : null}
          {fromCard?.length ? (
            <p role="status" className="note">
              From README.md: {fromCard.join(', ')}.
            </p>
          ) : null}
        </fieldset>
        {modelId === undefined ? (
          <fieldset>
            <legend>Listing</legend>
            {field('name', 'Name', { required: true })}
            {field('summary', 'Summary')}
            {field('tags', 'Tags (comma-separated)')}
            {field('task', 'Task', { placeholder: 'text-classification', required: true })}
            {field('license', 'License (SPDX id)', { placeholder: 'Apache-2.0', required: true })}
            <label className="check">
              <input type="checkbox" checked={fields.commercialUse} onChange={(e) => setFields({ ...fields, commercialUse: e.target.checked })} /> Commercial use
              allowed
            </label>
            <div className="field">
              <label htmlFor={`${id}-description`}>Model card (description)</label>
              <span className="note" id={`${id}-description-note`}>
                Markdown, shown as the model page's card; a README.md among the files fills it.
              </span>
              <textarea id={`${id}-description`} aria-describedby={`${id}-description-note`} rows={5} value={fields.description} onChange={(e) => setFields({ ...fields, description: e.target.value })} />
            </div>
            {field('price', 'Price (platform tokens)', { inputMode: 'decimal', required: true })}
          </fieldset>
        ) : null}
        <fieldset>
          <legend>Version</legend>
          {field('semver', 'Version', { required: true })}
          <div className="field">
            <label htmlFor={`${id}-changelog`}>Changelog</label>
            <textarea id={`${id}-changelog`} rows={3} value={fields.changelog} onChange={(e) => setFields({ ...fields, changelog: e.target.value })} />
          </div>
        </fieldset>
        <ActionButton type="submit" disabled={!address} busy={publish.pending}>
          {publish.pending ? 'Publishing…' : modelId === undefined ? 'Encrypt, upload and list' : 'Encrypt, upload and publish'}
        </ActionButton>
      </form>
      {publish.pending && progress ? (
        progress === 'registering' ? (
          <p role="status">Files stored. Confirm the transaction in your wallet…</p>
        ) : (
          <ProgressBar label="Encrypting and uploading" value={progress.bytes} max={progress.totalBytes} />
        )
      ) : null}
      {publish.state.status === 'error' ? <ErrorBox error={publish.state.error} title="Publishing failed" /> : null}
      {publish.state.status === 'done' ? (
        <div role="status" className="success">
          <p>
            {modelId === undefined ? 'Listed as ' : `Published version ${publish.state.result.version} of `}
            <a href={`#/model/${publish.state.result.modelId}`}>model #{publish.state.result.modelId.toString()}</a>.
          </p>
          <p>
            Archive sha256 <code>{publish.state.result.sha256}</code>, CID <code>{publish.state.result.contentCID}</code>
          </p>
        </div>
      ) : null}
      {publish.state.status === 'done' && modelId === undefined ? <NextSteps modelId={publish.state.result.modelId} /> : null}
    </>
  )
}

/** After listing: buyers wait for their key until it is delivered, and a model nobody hears of does not sell. */
function NextSteps({ modelId }: { modelId: bigint }) {
  const id = useId()
  const link = new URL(`#/model/${modelId}`, location.href).href
  const [copied, setCopied] = useState<boolean>()
  return (
    <section aria-labelledby={`${id}-next`} className="notice">
      <h2 id={`${id}-next`}>Next steps</h2>
      <ol>
        <li>
          Deliver each buyer's key before the delivery deadline: turn on automatic delivery on your <a href="#/dashboard">Seller dashboard</a> (it runs
          while that tab is open), or run the seller agent on a machine that stays on (<code>node examples/seller-agent.ts</code> in the repository).
        </li>
        <li>
          <label htmlFor={`${id}-link`}>Link to share</label>
          <span className="actions">
            <input id={`${id}-link`} readOnly value={link} onFocus={(e) => e.target.select()} />
            <button
              type="button"
              onClick={() =>
                navigator.clipboard.writeText(link).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              Copy link
            </button>
          </span>
          {copied === undefined ? null : (
            <span role="status">{copied ? ' Copied.' : ' The browser refused the clipboard: select the link and copy it.'}</span>
          )}
        </li>
      </ol>
    </section>
  )
}
