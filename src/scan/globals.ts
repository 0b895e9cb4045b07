// Which imports a pickle may make. Deny by default: an import is `safe` only when the format's
// allow-list names it exactly, `dangerous` when it is a known way to run code, touch files or the
// network, or load another pickle, and `suspicious` otherwise (an unknown class still runs its
// own code on load). Names are matched on their first dotted component for the deny-list
// (`builtins eval.__call__` is eval) but must match exactly for the allow-list
// (`collections OrderedDict.__init__.__globals__` is not OrderedDict).
import type { Finding, Verdict } from './types.js';
import type { PickleGlobal } from './pickle.js';

export type AllowList = ReadonlyMap<string, ReadonlySet<string>>;

function allow(entries: Record<string, string[]>): Map<string, Set<string>> {
  return new Map(Object.entries(entries).map(([m, names]) => [m, new Set(names)]));
}

function merge(...lists: AllowList[]): AllowList {
  const out = new Map<string, Set<string>>();
  for (const l of lists) for (const [m, names] of l) out.set(m, new Set([...(out.get(m) ?? []), ...names]));
  return out;
}

const COMMON = allow({
  collections: ['OrderedDict', 'defaultdict', 'deque', 'Counter'],
  builtins: ['set', 'frozenset', 'bytearray', 'complex', 'slice', 'range'],
  datetime: ['date', 'datetime', 'time', 'timedelta', 'timezone'],
  decimal: ['Decimal'],
  fractions: ['Fraction'],
});

const NUMPY = allow({
  numpy: ['ndarray', 'dtype'],
  'numpy.core.multiarray': ['_reconstruct', 'scalar'],
  'numpy._core.multiarray': ['_reconstruct', 'scalar'],
  'numpy.core.numeric': ['_frombuffer'],
  'numpy._core.numeric': ['_frombuffer'],
  'numpy.random._pickle': ['__randomstate_ctor', '__bit_generator_ctor', '__generator_ctor'],
});

const STORAGES = ['Long', 'Float', 'Half', 'Double', 'BFloat16', 'Bool', 'Char', 'Short', 'Int', 'Byte', 'ComplexFloat', 'ComplexDouble',
  'QUInt2x4', 'QUInt4x2', 'QInt32', 'QInt8', 'QUInt8', 'Untyped'].map((t) => `${t}Storage`);
const DTYPES = ['float16', 'float32', 'float64', 'bfloat16', 'complex64', 'complex128', 'uint8', 'int8', 'int16', 'int32', 'int64', 'bool',
  'half', 'float', 'double', 'long', 'int', 'short', 'float8_e4m3fn', 'float8_e5m2', 'uint16', 'uint32', 'uint64'];

const TORCH = allow({
  torch: [...STORAGES, ...DTYPES, 'Size', 'device', 'strided', 'sparse_coo', 'sparse_csr', 'per_tensor_affine', 'per_channel_affine', 'channels_last', 'contiguous_format', 'preserve_format'],
  'torch._utils': ['_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter', '_rebuild_parameter_with_state', '_rebuild_qtensor',
    '_rebuild_sparse_tensor', '_rebuild_meta_tensor_no_storage', '_rebuild_device_tensor_from_numpy', '_rebuild_nested_tensor'],
  'torch._tensor': ['_rebuild_from_type_v2'],
  'torch.nn.parameter': ['Parameter'],
  'torch.storage': ['TypedStorage', 'UntypedStorage'],
  'torch.serialization': ['_get_layout'],
});

/** Allow-lists per container format. */
export const ALLOW = {
  pickle: merge(COMMON, NUMPY),
  numpy: merge(COMMON, NUMPY),
  pytorch: merge(COMMON, NUMPY, TORCH),
} as const satisfies Record<string, AllowList>;

const ALL = '*';
/** Module (or module prefix, matched on dotted components) → names, or every name. */
const DANGEROUS: Record<string, typeof ALL | string[]> = {
  builtins: ['eval', 'exec', 'execfile', 'compile', 'getattr', 'setattr', 'delattr', 'apply', 'open', 'file', 'breakpoint', '__import__',
    'input', 'raw_input', 'globals', 'locals', 'vars', 'reload', 'help', 'exit', 'quit', '__build_class__', 'memoryview'],
  // code execution, processes, the interpreter itself
  os: ALL, posix: ALL, nt: ALL, subprocess: ALL, commands: ALL, _posixsubprocess: ALL, _winapi: ALL, pty: ALL, sys: ALL, runpy: ALL,
  code: ALL, codeop: ALL, compileall: ALL, py_compile: ALL, marshal: ALL, importlib: ALL, imp: ALL, zipimport: ALL, pkgutil: ALL,
  modulefinder: ALL, site: ALL, platform: ALL, types: ALL, gc: ALL, atexit: ALL, ctypes: ALL, _ctypes: ALL, cffi: ALL,
  multiprocessing: ALL, 'concurrent.futures': ALL, _thread: ALL, signal: ALL, msvcrt: ALL, winreg: ALL, _winreg: ALL,
  functools: ALL, operator: ALL, _operator: ALL,
  // debuggers, profilers, test runners and REPLs that exec strings
  bdb: ALL, pdb: ALL, trace: ALL, profile: ALL, cProfile: ALL, _lsprof: ALL, timeit: ALL, doctest: ALL, idlelib: ALL, lib2to3: ALL,
  pydoc: ALL, rlcompleter: ALL, _pyrepl: ALL, test: ALL, IPython: ALL, tkinter: ALL, _tkinter: ALL, Tkinter: ALL, turtle: ALL,
  // installers and build tools that run commands
  pip: ALL, ensurepip: ALL, venv: ALL, distutils: ALL, setuptools: ALL, _osx_support: ALL, _aix_support: ALL, mailcap: ALL, pipes: ALL,
  uuid: ['_get_command_stdout', '_popen', '_find_mac', '_find_mac_near_keyword', '_find_mac_under_heading', '_ifconfig_getnode', '_ip_getnode',
    '_arp_getnode', '_lanscan_getnode', '_netstat_getnode', '_ipconfig_getnode', '_netbios_getnode'],
  // files
  io: ['open', 'open_code', 'FileIO', 'BufferedReader', 'BufferedWriter', 'BufferedRandom', 'TextIOWrapper'],
  _io: ['open', 'open_code', 'FileIO', 'BufferedReader', 'BufferedWriter', 'BufferedRandom', 'TextIOWrapper'],
  codecs: ['open', 'EncodedFile'], logging: ALL, shutil: ALL, tempfile: ALL, fileinput: ALL, linecache: ALL, shelve: ALL, dbm: ALL,
  sqlite3: ALL, tarfile: ALL, zipfile: ALL, gzip: ['open', 'GzipFile'], bz2: ['open', 'BZ2File'], lzma: ['open', 'LZMAFile'],
  // network
  socket: ALL, _socket: ALL, ssl: ALL, socketserver: ALL, http: ALL, httplib: ALL, urllib: ALL, urllib2: ALL, urllib3: ALL, requests: ALL,
  httpx: ALL, aiohttp: ALL, asyncio: ALL, asyncore: ALL, asynchat: ALL, smtplib: ALL, ftplib: ALL, poplib: ALL, imaplib: ALL, nntplib: ALL,
  telnetlib: ALL, xmlrpc: ALL, xmlrpclib: ALL, webbrowser: ALL, antigravity: ALL, wsgiref: ALL, paramiko: ALL, pexpect: ALL, fabric: ALL,
  invoke: ALL, sh: ALL, plumbum: ALL, huggingface_hub: ALL,
  // loaders of other pickles or of code: a pickle inside a pickle escapes this scan
  pickle: ALL, _pickle: ALL, cPickle: ALL, dill: ALL, cloudpickle: ALL, joblib: ['load'], 'joblib.numpy_pickle': ['load'],
  pandas: ['read_pickle', 'eval', 'read_csv', 'read_table', 'read_json', 'read_html', 'read_sql'], 'pandas.io.pickle': ALL,
  'pandas.core.computation': ALL, yaml: ['load', 'load_all', 'unsafe_load', 'unsafe_load_all', 'full_load', 'full_load_all'],
  jinja2: ALL, mako: ALL, numexpr: ALL, sympy: ['sympify', 'parse_expr'], 'sympy.parsing': ALL, 'sympy.core.sympify': ALL,
  numpy: ['load', 'loads', 'fromfile', 'memmap', 'save', 'savez', 'savetxt', 'loadtxt', 'genfromtxt', 'fromregex'],
  'numpy.f2py': ALL, 'numpy.testing': ALL, 'numpy.distutils': ALL, 'numpy.ctypeslib': ALL, 'numpy.lib.npyio': ALL,
  // torch gadgets: code generation, compilation, loaders, shells
  torch: ['load', 'save', 'compile'], 'torch.serialization': ALL, 'torch.storage': ['_load_from_bytes'], 'torch.hub': ALL,
  'torch.package': ALL, 'torch._inductor': ALL, 'torch._dynamo': ALL, 'torch.fx': ALL, 'torch.jit': ALL, 'torch.utils': ALL,
  'torch.testing': ALL, 'torch.distributed': ALL, 'torch.multiprocessing': ALL, 'torch._export': ALL, 'torch.export': ALL,
  'torch.compiler': ALL, 'torch.onnx': ALL,
};

// CPython maps Python 2 names when it unpickles protocol 0-2 (`_compat_pickle`); classify both.
const PY2_MODULES: Record<string, string> = {
  __builtin__: 'builtins', exceptions: 'builtins', copy_reg: 'copyreg', cPickle: 'pickle', httplib: 'http.client', urllib2: 'urllib.request',
  commands: 'subprocess', Queue: 'queue', SocketServer: 'socketserver', thread: '_thread', dummy_thread: '_dummy_thread',
  BaseHTTPServer: 'http.server', SimpleHTTPServer: 'http.server', CGIHTTPServer: 'http.server', xmlrpclib: 'xmlrpc.client',
  urlparse: 'urllib.parse', anydbm: 'dbm', Tkinter: 'tkinter', repr: 'reprlib', cStringIO: 'io', StringIO: 'io',
};
const PY2_NAMES: Record<string, [string, string]> = {
  '__builtin__ reduce': ['functools', 'reduce'], '__builtin__ intern': ['sys', 'intern'], '__builtin__ execfile': ['builtins', 'exec'],
  '__builtin__ raw_input': ['builtins', 'input'], '__builtin__ xrange': ['builtins', 'range'], '__builtin__ unicode': ['builtins', 'str'],
  'itertools imap': ['builtins', 'map'], 'itertools ifilter': ['builtins', 'filter'], 'itertools izip': ['builtins', 'zip'],
};

export function canonical(module: string, name: string): [string, string] {
  const direct = PY2_NAMES[`${module} ${name}`];
  if (direct) return direct;
  const m = PY2_MODULES[module];
  return m ? [m, name] : [module, name];
}

/** Whether anything in `module` (or a package above it) is on the dangerous list. */
function hasDangerousNames(module: string): boolean {
  const parts = module.split('.');
  for (let i = parts.length; i > 0; i--) if (DANGEROUS[parts.slice(0, i).join('.')]) return true;
  return false;
}

function isDangerous(module: string, name: string): boolean {
  const first = name.split('.')[0]!;
  const parts = module.split('.');
  for (let i = parts.length; i > 0; i--) {
    const rule = DANGEROUS[parts.slice(0, i).join('.')];
    if (rule === ALL) return true;
    if (rule && i === parts.length && rule.includes(first)) return true;
  }
  return false;
}

export interface ClassifiedGlobal extends PickleGlobal {
  severity: Verdict;
}

export function classifyGlobal(g: PickleGlobal, allowList: AllowList): ClassifiedGlobal {
  // EXT reads copyreg's extension registry, empty in CPython unless a library registers codes:
  // worth a look, not proof of a payload; nor is an import CPython refuses (an int as module name).
  // An over-long string operand is a real import, but of no module that exists unless the module
  // is known and dangerous (a long dotted name walks attributes: os + "path.os.path…system").
  // Other unresolvable operands hide a real import.
  if (g.longOperand) return { ...g, severity: g.module !== 'unknown' && hasDangerousNames(canonical(g.module, '')[0]) ? 'dangerous' : 'suspicious' };
  if (g.unresolved) return { ...g, severity: g.opcode === 'EXT' || g.refused ? 'suspicious' : 'dangerous' };
  const [cm, cn] = canonical(g.module, g.name);
  if (isDangerous(g.module, g.name) || isDangerous(cm, cn)) return { ...g, severity: 'dangerous' };
  if (allowList.get(cm)?.has(cn) || allowList.get(g.module)?.has(g.name)) return { ...g, severity: 'safe' };
  return { ...g, severity: 'suspicious' };
}

const RULES: Record<Verdict, string> = { dangerous: 'pickle-dangerous-global', suspicious: 'pickle-unknown-global', safe: 'pickle-allowed-global' };

/** One finding per distinct import, in first-seen order; `member` is the container path if any. */
export function globalFindings(globals: readonly PickleGlobal[], allowList: AllowList, member?: string, where = ''): Finding[] {
  const seen = new Map<string, { g: ClassifiedGlobal; count: number }>();
  for (const g of globals) {
    const key = `${g.module} ${g.name} ${g.unresolved ?? ''}`;
    const s = seen.get(key);
    if (s) s.count++;
    else seen.set(key, { g: classifyGlobal(g, allowList), count: 1 });
  }
  return [...seen.values()].map(({ g, count }) => {
    const rule = g.unresolved ? 'pickle-unresolved-global' : RULES[g.severity];
    const why = g.refused
      ? `: an operand is not a string (${g.unresolved}), so a loader stops here without importing anything`
      : g.unresolved
      ? `: the ${g.opcode} operand cannot be proven to be a string (${g.unresolved}); a loader would import whatever it evaluates to`
      : g.severity === 'dangerous' ? ': can run code, open files or the network, or load another pickle'
      : g.severity === 'suspicious' ? ': not on the allow-list for this format; importing it runs code you have not reviewed'
      : '';
    const times = count > 1 ? ` (${count} times)` : '';
    const f: Finding = { rule, severity: g.severity, detail: `imports \`${g.module} ${g.name}\` via ${g.opcode} at offset ${g.offset}${where}${times}${why}` };
    if (member !== undefined) f.member = member;
    return f;
  });
}
