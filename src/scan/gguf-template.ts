// A GGUF chat template is Jinja2 that the serving stack renders on every request. Rendering it
// outside a sandbox (llama-cpp-python before 0.2.72, CVE-2024-34359; SGLang, CVE-2026-5760) or
// escaping a weak sandbox runs code on the server. The classic escapes walk Python object
// internals (`''.__class__.__mro__[1].__subclasses__()`, `lipsum.__globals__.os.popen`,
// `cycler.__init__.__globals__`, `namespace.__init__`, `|attr('__class__')`, underscores spelled
// `\x5f`). Real chat templates never need any of that, so a hit is `dangerous`; constructs that are
// merely unusual for a chat template are `suspicious`. This is a text heuristic, never a render.
import type { Finding } from './types.js';

interface Pattern {
  re: RegExp;
  severity: 'dangerous' | 'suspicious';
  why: string;
}

const PATTERNS: readonly Pattern[] = [
  { re: /__[A-Za-z][A-Za-z0-9_]*__/u, severity: 'dangerous', why: 'Python dunder attribute (object-internals walk)' },
  { re: /['"]__|__['"]/u, severity: 'dangerous', why: 'string literal starting or ending with "__" (attribute name built at render time)' },
  { re: /\|\s*attr\s*\(/u, severity: 'dangerous', why: '|attr() filter (attribute access by string)' },
  { re: /\\x5f|\\u005f|\\U0000005f|\\137|\\N\{LOW LINE\}/iu, severity: 'dangerous', why: 'escaped underscore (hides a dunder name)' },
  { re: /\b(?:lipsum|cycler|joiner)\b/u, severity: 'dangerous', why: 'Jinja global (lipsum/cycler/joiner) used as a gadget to reach Python globals' },
  { re: /\bnamespace\s*(?:\.\s*_|\|\s*attr|\[)/u, severity: 'dangerous', why: 'attribute access on the namespace() class' },
  { re: /\bos\s*\.\s*(?:popen|system|exec\w*|spawn\w*|environ|remove|unlink)\b/u, severity: 'dangerous', why: 'os module call' },
  { re: /\b(?:popen|subprocess|importlib|__import__|check_output)\b/u, severity: 'dangerous', why: 'process or import primitive' },
  { re: /\b(?:eval|exec|getattr|setattr|compile|globals|locals)\s*\(/u, severity: 'dangerous', why: 'Python builtin call' },
  { re: /\.\s*mro\s*\(/u, severity: 'dangerous', why: 'method resolution order access' },
  { re: /\b(?:self|config|request|url_for|get_flashed_messages|g)\s*(?:\.\s*_|\|\s*attr)/u, severity: 'dangerous', why: 'private attribute of a template/Flask global' },
  { re: /\{%-?\s*(?:import|include|extends|from)\b/u, severity: 'suspicious', why: 'loads another template' },
  { re: /\brange\s*\(\s*\d{6,}/u, severity: 'suspicious', why: 'very large range() (render-time denial of service)' },
  { re: /['"]%c['"]|\|\s*format\s*\(\s*\d/u, severity: 'suspicious', why: 'building characters with format (obfuscation)' },
  { re: /\b(?:self|config|request)(?:\.[A-Za-z_]|\[)/u, severity: 'suspicious', why: 'reference to a template or web-framework global' },
];

/** Longest template text examined, so a hostile 1 GB string costs bounded time. */
const MAX_SCAN_CHARS = 4 * 1024 * 1024;

export function checkChatTemplate(name: string, content: string): Finding[] {
  const findings: Finding[] = [
    {
      rule: 'gguf-chat-template',
      severity: 'safe',
      detail: `${name} holds a Jinja2 chat template (${content.length} chars); it is code the server renders, so review and approve it as a prompt-template artifact`,
    },
  ];
  const text = content.length > MAX_SCAN_CHARS ? content.slice(0, MAX_SCAN_CHARS) : content;
  if (text.length < content.length) {
    findings.push({ rule: 'gguf-chat-template-oversized', severity: 'suspicious', detail: `${name} is ${content.length} chars; only the first ${MAX_SCAN_CHARS} were checked` });
  }
  // Only text inside {{ }} and {% %} runs; everything else is emitted verbatim.
  const code = codeSegments(text);
  for (const p of PATTERNS) {
    const m = p.re.exec(code);
    if (!m) continue;
    const rule = p.severity === 'dangerous' ? 'gguf-chat-template-injection' : 'gguf-chat-template-unusual';
    findings.push({ rule, severity: p.severity, detail: `${name}: ${p.why} near ${JSON.stringify(excerpt(code, m.index))}` });
  }
  return findings;
}

/**
 * The Jinja expressions and statements of a template joined by newlines. Quote-aware, so a
 * `}}` inside a string literal does not end the segment early and hide what follows.
 */
export function codeSegments(text: string): string {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length - 1) {
    const open = text.slice(i, i + 2);
    if (open !== '{{' && open !== '{%') {
      i++;
      continue;
    }
    const close = open === '{{' ? '}}' : '%}';
    let j = i + 2;
    let quote: string | null = null;
    while (j < text.length) {
      const c = text[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (text.startsWith(close, j)) break;
      j++;
    }
    parts.push(text.slice(i + 2, j));
    i = j + 2;
  }
  return parts.join('\n');
}

function excerpt(text: string, at: number): string {
  return text.slice(Math.max(0, at - 20), at + 60);
}
