// biome-ignore-all lint/suspicious/noArrayIndexKey: the tokens of one fixed text never reorder, and two may be equal
import { Lexer, type Token, type Tokens } from 'marked'
import type { ReactNode } from 'react'

/**
 * A model card (the model's README.md) as safe Markdown: marked splits it into tokens and each token
 * becomes a React element, so nothing in the card is ever parsed as HTML. Raw HTML in the card is
 * shown as its text without the tags; links go only to http(s) and mailto (the app routes on the hash, so in-page anchors would leave the page); images
 * are not loaded (a card could track its readers through them) but shown as links to open.
 * Loaded on demand with the model page's card (marked stays out of the first load).
 */
export default function Markdown({ text }: { text: string }) {
  return <div className="prose">{blocks(Lexer.lex(withoutFrontMatter(text), { gfm: true }))}</div>
}

/** The YAML front matter of a Hugging Face README (`---` … `---`), which is metadata, not card text. */
export function withoutFrontMatter(text: string): string {
  return text.replace(/^---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/, '')
}

const SAFE_URL = /^(?:https?:|mailto:)/i

/** A destination the page will link to: absolute http(s) or mailto; anything else (javascript:, data:, relative paths, anchors) is shown as text. */
const safeHref = (href: string) => (SAFE_URL.test(href.trim()) ? href.trim() : undefined)

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

/** marked leaves character references as written; React shows text as is, so they are decoded here. */
function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return entities[ref.toLowerCase()] ?? whole
    const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1))
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })
}

/** Raw HTML's text without its tags (and without the content of script and style elements). */
const htmlText = (html: string) => decode(html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '').replace(/<[^>]*>/g, ''))

function blocks(tokens: Token[]): ReactNode[] {
  return tokens.map((token, i) => block(token, i))
}

function block(token: Token, key: number): ReactNode {
  switch (token.type) {
    case 'heading': {
      const t = token as Tokens.Heading
      // the card sits under the page's "Model card" heading (h2): its own headings start one level lower
      const Tag = `h${Math.min(6, t.depth + 2)}` as 'h3'
      return <Tag key={key}>{inline(t.tokens)}</Tag>
    }
    case 'paragraph':
      return <p key={key}>{inline((token as Tokens.Paragraph).tokens)}</p>
    case 'text': {
      const t = token as Tokens.Text
      return <p key={key}>{t.tokens ? inline(t.tokens) : decode(t.text)}</p>
    }
    case 'code':
      return (
        <pre key={key} className="code">
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      )
    case 'blockquote':
      return <blockquote key={key}>{blocks((token as Tokens.Blockquote).tokens)}</blockquote>
    case 'list': {
      const t = token as Tokens.List
      const items = t.items.map((item, i) => (
        <li key={i}>
          {item.task ? <input type="checkbox" checked={Boolean(item.checked)} disabled aria-label={item.checked ? 'done' : 'not done'} /> : null}{' '}
          {item.loose ? blocks(item.tokens) : listItem(item.tokens)}
        </li>
      ))
      return t.ordered ? (
        <ol key={key} start={t.start === '' ? undefined : t.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      )
    }
    case 'table': {
      const t = token as Tokens.Table
      const align = (a: Tokens.TableCell['align']) => (a ? { textAlign: a } : undefined)
      return (
        // a wide table scrolls inside its box, never the page
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it
        <section key={key} className="table-scroll" tabIndex={0} aria-label="Table">
          <table>
            <thead>
              <tr>
                {t.header.map((cell, i) => (
                  <th key={i} style={align(cell.align)}>
                    {inline(cell.tokens)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {t.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, i) => (
                    <td key={i} style={align(cell.align)}>
                      {inline(cell.tokens)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )
    }
    case 'hr':
      return <hr key={key} />
    case 'html': {
      const text = htmlText((token as Tokens.HTML).text).trim()
      return text ? <p key={key}>{text}</p> : null
    }
    default:
      // space, link definitions and anything unknown add nothing to read
      return null
  }
}

/** A tight list item holds text tokens directly: its inline content, without a paragraph around it. */
function listItem(tokens: Token[]): ReactNode[] {
  return tokens.map((token, i) => (token.type === 'text' ? <span key={i}>{(token as Tokens.Text).tokens ? inline((token as Tokens.Text).tokens ?? []) : decode((token as Tokens.Text).text)}</span> : block(token, i)))
}

function inline(tokens: Token[]): ReactNode[] {
  // inline HTML comes one tag at a time: the text between <script> or <style> and its end tag is no card text
  let hidden: string | undefined
  return tokens.map((token, key) => {
    if (token.type === 'html') {
      const tag = /^<(\/?)(script|style)\b/i.exec((token as Tokens.Tag).text)
      if (tag) hidden = tag[1] ? undefined : tag[2]?.toLowerCase()
    }
    if (hidden) return null
    switch (token.type) {
      case 'text': {
        const t = token as Tokens.Text
        return <span key={key}>{t.tokens ? inline(t.tokens) : decode(t.text)}</span>
      }
      case 'escape':
        return (token as Tokens.Escape).text
      case 'strong':
        return <strong key={key}>{inline((token as Tokens.Strong).tokens)}</strong>
      case 'em':
        return <em key={key}>{inline((token as Tokens.Em).tokens)}</em>
      case 'del':
        return <del key={key}>{inline((token as Tokens.Del).tokens)}</del>
      case 'codespan':
        return <code key={key}>{decode((token as Tokens.Codespan).text)}</code>
      case 'br':
        return <br key={key} />
      case 'link': {
        const t = token as Tokens.Link
        const href = safeHref(t.href)
        const content = t.autolink ? t.text : inline(t.tokens)
        return href ? (
          <a key={key} href={href} rel="noopener noreferrer nofollow" target="_blank">
            {content}
          </a>
        ) : (
          <span key={key}>{content}</span>
        )
      }
      case 'image': {
        const t = token as Tokens.Image
        const href = safeHref(t.href)
        const label = `image: ${t.text || t.href}`
        return href ? (
          <a key={key} href={href} rel="noopener noreferrer nofollow" target="_blank">
            [{label}]
          </a>
        ) : (
          <span key={key}>[{label}]</span>
        )
      }
      case 'html':
        return htmlText((token as Tokens.Tag).text)
      default:
        return 'text' in token && typeof token.text === 'string' ? decode(token.text) : null
    }
  })
}
