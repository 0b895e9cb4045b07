// Everyday English words, generated once (not at run time) from word frequencies over the English
// prose of the documentation files installed with this project's npm packages: lowercase words seen
// at least 4 times, outside code blocks, links and addresses, and not mostly capitalised. A
// capitalised token in this list is not taken as a name on its own. Lowercase, space-separated.
export const ENGLISH_WORDS = `
ability able abort aborted about above absent absolute absolutely abstract accept acceptable accepted accepting accepts
access accessed accessible accessing accomplish according accordingly account accounts accuracy accurate achieve
achieved acquire acquired across action actions active actively actual actually adapted add added adding addition
additional additionally additions addon address addresses adds adjust adopted advanced advantage advised advisory affect
affected affects after again against age agenda agent aggregate aims airbrake ajv algorithm algorithms alias aliases
align aligns alive all allocated allocation allow allowed allowing allows almost alone along alongside already also alt
altered alternate alternative alternatives altogether always am ambiguous among amount an analysis ancestor anchor
anchors and animal annotates annotations anonymous another ansi answer any anymore anyone anything anyway anywhere api
app appclosefuncerror appear append appended appends applicable application applications applied applies apply applying
appreadyfuncerror approach appropriate apps appveyor arbitrary architecture archive are area arg args argument arguments
argv around array arrays arrow article as ask asked assert assertion assertions assessed asset assets assign assigned
assignment assigns assistive associated assume assumed assumes assuming assumptions ast async asynchronous
asynchronously at attach attached attachment attacker attacks attempt attempting attempts attribute attributes audience
auditing augmentation auth authenticate authentication author authority authorization authorized authors auto automated
automatic automatically autoupdate availability available average avoid avoiding avoids await awaited aware away aws
babel babylon back backend background backported backpressure backslash backslashes backtrack backtracking backward
backwards bad badge badges badly balanced balancer bar bare base based basename bash basic basically basis batches be
because become becomes been before begin beginning begins behave behaves behavior behaviour behind being believe belong
belongs below benchmark benchmarks benefit best beta better between beyond biased big bigint bin binaries binary bind
binding bindings bit bits bitwise bl blob block blocks body boolean booleans boom boot bot both bottom bound boundary
bounds bounty bower box br brace braced braces bracket brackets branch branches break breaking breaks brief broke broken
broker browser browserify browsers bsdglob bucket buckets buf buffer buffered buffering buffers bufs bugfixes buggy bugs
build builder building builds built builtin bulk bump bunch bundle bundled bundler bundles bundling business but button
by byte bytes ca cache cached caches caching calculate call callable callback callbacks called caller calling calls
callsite camel can cancel cancellation cannot canonical cap capabilities caps capture captured care careful carefully
carrier carries carry case cased cases casesensitive casing cast casts catch cause caused causes causing caution caveat
caveats cb cd censor center centralised cert certain certificate certificates chaijs chain chained chaining chalk
challenge chance change changed changes changing channel char character characters charge chars charset charts chat
check checked checking checks child children choice choices choose choosing chore chores chose chosen chunk ci cipher
circular circumstances city civil cjs class classes clause clean cleaned cleanup clear cli click client clients cliui
clone cloned clones cloning close closed closely closes closest closing cloudwatch cluster cmd code codebase codecov
coded codegen codes coding coerce coerced coercion collapsed collect collecting collection collector collisions colon
color colors column columns combination combine combined combining come comes comma command commander commands commas
comment comments commercial commit common commonly communication communications community compact comparator comparators
compare compared compares comparing comparison comparisons compatibility compatible competitive compilation compile
compiled compiler compilers compiles compiling complete completed completely completion completions complex compliance
compliant complicated component components composed comprehensive compress compressed compression compressor compute
computer computing concat concatenates concatenating concatenation concept concrete concurrency concurrent concurrently
condition conditional conditions config configurable configuration configurations configure configured configuring
conflict conflicts conform conjunction conn connect connected connecting connection connections connector connects
consecutive consensus consider considerations considered considering consistency consistent consistently consists
console const constant constants constrained constraining constraint constraints construct constructed constructing
construction constructor constructors consume consumed consumer consumers consumes consuming consumption contact contain
contained container containers containing contains content contents context contexts continue continuing continuous
continuously contract contribute contributed contribution contributions contributors control controlled controller
convenience convenient conventional conversation conversion conversions convert converted converter converters
converting cookie cookies coordinate copied copies copy copying copyright core corner correct correctly correspond
corresponding corresponds cost costs couch could count counted countries country counts couple course cover coverage
coveralls covered covers crash crawl create created creates creating creation credential credentials credit critical
cross crt crypto cryptographic curl current currently curve custom customer customization customize customizing cut
cutoffs cwd cycle cycles cyclic da dash dashed data database datadog date dates days db dc de deal dealing debug
debuggers debugging decide decided decimal decision declaration declarations declare declared declares declaring decode
decoded decodes decoding decompress decorate decorated decorator decorators decryption dedicated deep deeply deepmerge
default defaultcountry defaulting defaults defer define defined defines definition definitions delay delayed delete
deleted deletes delimited deliver demo demonstrates deno dep depend dependencies dependency dependent depending depends
deploy deprecate deprecated deprecation deprecations deps depth dereferenced derived describe described describes
describing description descriptions descriptor descriptors design designed desired dest destination destinations destroy
destroyed destructuring detail detailed details detect detected detection detects determine determined determines
determining deterministic dev developed developer developers developing development deviate devtools diagnostics diagram
diagrams dialing did differ difference differences different differentiating differently differs difficult digest
digests digit digits dir direct direction directive directives directly directories directory disable disabled disables
discard discarded disclaimer disclose disclosure discord discrepancies discuss discussion disk dispatch dispatched
dispatcher display displayed displaying displays disposition dist distinct distribute distributed distribution
distributions div division dns do docs doctoc document documentation documented documents does doesn doing domain done
dot dotfile dotfiles dots dotted double down download downloads downscoped downstream draft drain drained draining drive
drop dropped dropping drops dual due dupkey dupkeys duplex duplicate duplicated duplicates dur duration during dynamic
dynamically each earlier early easier easily easy ecosystem edge edit edition editor ee effect effectively effects
efficiency efficient efficiently effort eg eight either elasticsearch element elements else elsewhere email emails
embedded emit emits emitted emitting emoji employer empty en enable enabled enables enabling encapsulated enclosed
encode encoded encodes encoding encounter encountered encounters encrypt encrypted encryption end endian ending endorse
endpoint endpoints ends enforce engine engines english enough ensure ensures entered entering enterprise entire entirely
entities entity entries entry enum enumerable env environment environments epoch equal equality equals equivalent err
error errors es escalade escape escaped escapes escaping eslint eslintignore esm especially established estraverse
estree etag etc eval evaluate evaluation even event events eventually ever every everyone everything eviction exact
exactly example examples exceed exceeded exceeds except exception exceptions excess excessive exchange exclude excluded
excluding exclusion executable executables execute executed executing execution exemplars exhaustion exist existence
existent existing exists exit exiting exits expand expanded expanding expansion expansions expect expected expects
expensive experience experimental expiration expired explained explanation explicit explicitly exploit exponential
export exported exporting exports expose exposed exposes express expression expressions extend extended extending
extends extensible extension extensions extensive external externally extglob extglobs extra extract extracted
extracting extremely eyeglasses fa facade face fact factor factory fail failed failing fails failure fake fall fallback
falls false family far fast faster fastest fastify fatal father favorite fd feat feature features federation fee feel
fetch fetching few field fields file filename filenames files filesystem fill filled filter filtering filters final
finalized finally find finding findings finds fine finish finished finite fire firebase first fit fits fixtures flag
flags flattened flexibility float floating flow flowing flush flushed fn folded folder folding follow followed following
follows font foo footprint for forbidden force forces forcing forge forget fork forked form formally format formats
formatted formatter formatters formatting forms forward found four fourth fp fragment frame framework frameworks free
freely frequently fresh friendly from front frontend fs full fully function functionality functions furnished further
future fuzzy gain garbage gax gaxios gcloud gcp gelf general generally generate generated generates generating
generation generator generators generic geocoding geographic get gets getter getting gif git github give given gives
giving glibc glob global globally globals globbing globstars go goal goals goes going good goog got government graceful
gracefully grammar granted graph great greater greedy greenkeeper group groups grow grows grpc gtoken gts guarantee
guaranteed guarantees guess guessing guidance guide guidelines gzip gzipped had half hand handle handled handler
handlers handles handling handy happen happens happy hard has hash have having head header headers heading headings
health height held hello help helper helpers helpful helps hence here hereby hex hidden hide hideechoback hierarchy high
higher highest highlighting highly his histogram historical history hit hoist hold holder holds home hook hooks host
hostname hosts hot hour hours house how href html http https huge human hundred hygiene hyphenated hyphens id idea ideal
identical identifier identifiers identify identities identity idle ids ie if ignore ignored ignores illustrating image
img immediate immediately immutability immutable impact impersonate impersonated implement implementation
implementations implemented implementing implements implicit implicitly implied implies import important importantly
imported importing imports impossible improve improved improvements improves in inappropriate include included includes
including inclusion inclusive incoming incompatible incomplete inconsistencies incorrect incorrectly increase increment
increments indent indentation independence independent independently index indicate indicates indicating indices
individual individuals infer inferred infinite info information ing inherit inherited inherits init initial
initialization initialize initialized initializer initializers initially inject injected injection inline inlined inner
input inputs insensitive insert inserted inserting inside inspect inspired install installed installing installs
instance instanceof instances instantiate instantiated instantiating instantiation instead instruct instructions integer
integers integrates integration integrations intend intended intentional interact intercept interceptors interested
interface interfaces intermediate internal internally internals international interoperability interpolated
interpolationvalues interpretation interpreted interpreting interprets intersection interval into introduce introduced
introduces introduction invalid invocation invoke invoked invoking involved involving ip is ish ispossible issue issues
isvalid it item items iterate iterated iterates iteration iterations iterator iterators its itself javascript job join
joined js jsdoc json jsr jump just jwa jws karma keep keeping keeps kept key keyinyn keys keyword keywords kibana
kilobytes kind kindly kinds knex know known knows label labels lack land language large larger last later latest latter
layer layout lazy lead leading leads leak learn least leave leaves leaving left legacy length lengths lenient less let
lets letter letters level levels levn lexer lexical lib libc libphonenumber libraries library licensed licenses
licensing life lifecycle lifetime light lightweight like likely limit limitation limitations limited limitmessage limits
line lines link linkify links linting list listed listen listener listeners listening listing lists literal literally
literals little lived lives load loaded loader loading loads loc local locale locales locally located location locations
lock lodash log logdna logged logger loggers logging logic logical logo logs loki long longer look lookahead looking
looks lookup loop loops loose loosely loss lost lot low lower lowercase lowest lru lt machine macros made magic mail
mailto main maintain maintained maintainer maintainers maintaining maintenance major majority make makes making
malformed manage managed management mandatory mangle mangled mangling manipulating manner manually many map mapped
mapping mappings maps mark markdown marked marking marks markup mask match matched matcher matchers matches matching
materials matter matters max maximum may maybe md me mean meaning meaningful means meant measures mechanism mechanisms
media meet meeting meets member members membership memory mentioned mentions menu merely merge merged merging
mergingobject message messages met meta metadata method methods metric metrics middle middleware might migrate million
millisecond milliseconds mime mimicking min mind mindful minified minifier minify minimal minimatch minimum minor minus
minute minutes missing mix mixed mixin mjs mobile mocha mock mocked mode model models moderator modern modes
modification modifications modified modifiers modify modifying module modules moment mongo monkey more most mostly
mounted move moved moves moving ms msg much multi multipart multiple multistream multistreamres must mutated mutating my
mysql naive name named names namespace namespaces naming nargs narrow national native nature nbsp nearest nearley nearly
necessarily necessary need needed needing needs negate negated negation negative negotiated neither neostandard ness
nested nesting network networking neutral never new newer newline newlines newly next nice no nock node nodejs nodes
nofollow non none nonull nor normal normalization normalize normalized normalizes normally not notable notation noted
notes nothing notice now npm npx null nullable number numbering numbers numeric numerical nutshell nyc obj object
objectmechanism objects observed obtain obtained obtaining obug obvious occasions occur occurred occurrences occurs
octal octets of off offer offers official officially offmethods offset offsets often oid ok old older omit omitted
omitting on once one oneof ones online only onto op opaque open openapi opencollective opened opening opens
opentelemetry operate operating operation operations operator operators opinions ops opt optimal optimization
optimizations optimize optimized option optional optionally options opts or order ordering organization organizations
origin original originally ossf other others otherwise our out output outside over overall overhead overload overloaded
overloads overridden override overrides overriding overwrite overwritten own pack package packages padded padding page
pages pair pairs papertrail parallel param parameter parameters parametric params parent parentheses parenthesized parse
parsed parsephonenumberstring parser parsers parses parsing part partial partially participants participate particular
particularly parts party pass passed passes passing passphrase password past patch patched patches patching path
pathname paths pattern patterns paused paying payload pbjs pbts pem penalty pending people per percent percentile
percentiles perf perfect perfectly perform performance performant performed performs perhaps period periods permalink
permalinks permission permissions permissive permit permitted persist person personal personally persons pg phase phone
phonenumber pick picomatch pieces pii pin ping pino pipe pipeline pipelining pipes piping place placed placeholder
placeholders places plain plan plans platform platforms play please plugin plugins plus png point pointer pointing
points policies pollution polyfill polyfills pool pooling pools popular populate populated port ported portion portions
ports pos position positional positionals positions positive posix possibility possible possibly post postcss postfix
postgres potential potentially powerful practice practices pre prebuilds prebuilt precedence precise predicate
predictable prefer preferred prefers prefix prefixed prefixes prefixing preload prepend prepended prepends prerelease
present presented preserve preserved presets press pressed pressing prettier prettifier pretty prev prevent prevents
previous previously primarily primary primitive principle print prior priority private probably problem problematic
problems procedure proceeds process processed processes processing produce produced produces producing product
production products program programmatically programmer programs project projection projects promise promises promote
prompt promptcl prop propagated proper properly properties property proposal proposed protect protected protection proto
protobuf protobufjs protocol protocols prototype provide provided provider providers provides providing proxied proxies
proxy pseudo public publication publish published publishes publishing pull pump puppeteer pure purpose purposes push
pushes put qs quality queries query querystring question questionnewpassword questionpath questions queue queued quick
quickly quickstart quite quote quoted quotes race radix railroad raise raised raises ran rand randexp random range
ranges rare rarely rather rationale raw rc re reach reachable reached reaches read readable readdir reader readers
reading readme reads ready real really realpath reason reasonable reasonably reasons reassignment receive received
receives receiving recent recently recipient recognised recognize recommend recommended record recorded records
recursive recursively red redact redacted redaction redacts redirect redirected redirection redirects redis reduce
reduced reduces reduction redundant ref refactor refer reference referenced references referencing refers reflect
reflected reflection reformat refresh refreshed refreshing refs regarding regardless regex regexp region register
registered registering registers registration registrations registries registry regression regular reject rejected
rejection rejects rel related relationships relative relatively relax release released releases relevant relies rely
relying remain remaining remains remote removal remove removed removes removing rename renamed render rendered rendering
repeat repeated repeatedly replace replaced replacement replaces replacing replay replicas reply repo report reported
reporter reporting reports repositories represent representation representations represented representing represents
reproduce reproduced req request requested requesting requests require required requirement requirements requires
requiring res reserved reset resolution resolve resolved resolver resolvers resolves resolving resort resource resources
respective respectively respond response responses responsibility responsible rest restart restrict restricted
restricting restriction result resulting results resume ret retain retained retries retrieve retry retrying return
returned returning returns reusable reuse reused reverse revert review rewrite rewritten rfc right rights risk robin
role roll root rotation roughly round rounded route router routes routing row rows rule rules run runner running runs
runtime runtimes safe safely safety said sake same sample sampled samples sanitize sapphi satisfied satisfies satisfy
saucelabs save saved say says scale scan scenario scenarios schedule schema schemas scheme schemes scope scoped scopes
scorecard scratch screen script scripts search searched searching second seconds secret section sections secure security
see seem seems seen segment segments select selected selective selector self sell semantic semantics semi semicolon
semver send sending sense sensitive sensitivity sent sentry sep separate separated separately separates separator
separators seperate seq sequence sequences serialization serialize serialized serializer serializers serializes
serializing series seriously serve served server servername servers serves service services serving session set sets
setting settings setup several severity sh shaking shall shallow shape share shared shares sharing shell shim shipped
ships short shortcut shorter shorthand shot should show shown shows shutdown sibling side sign signal signature
signatures signed signer significance significant significantly silent similar simple simpler simplest simplicity
simplified simply simulate simulated since single site situation situations size sizes skip skipped skips slack slash
slashes sleep slice slight slightly slow slower slug small smaller snapshot snapshots snippet snippets snyk so socket
solely solid solution solve some somehow something sometimes somewhat somewhere sonic soon sort sorted source
sourcecontent sourced sourcemap sourcemapconsumer sourcemapgenerator sourcenode sources space spaces span spans spawning
spec special specific specification specifications specified specifies specify specifying specs speed split splitting
sponsor sponsored sponsors spread spurious square src ssl stable stack stackdriver stage stale stand standalone standard
standardized standards star stars start started starting starts startup stat state stateful statement statements states
static statically statics statistics stats status stay stays stderr stdin stdout step steps still stop stops storage
store stored stores storing str strategies strategy stream streaming streams strict stricter strictly strictness string
stringified stringify strings strip stripped stripping strips strong strongly structure structured structures stuff
style styles styling sub subarray subclass subcommand subcommands subdivision subject sublicense submit submitted subnet
subpath subscribe subsequent subset substantial substituted substr subtle succeed succeeds success successful
successfully such suffix suggested suitable suite summary sup super supplied supply supplying support supported
supporting supports supposed suppress sure surface surprising surrogate susceptible svg switch switches symbol symbolic
symbols symlink symlinked symlinks sync synchronous synchronously syntax synth syscalls syslog system systems tab table
tag tagged tags tail take taken takes taking tar tarball tarballs target targeting targets task tasks td tdigest team
technique telephone tell tells template templates temporary term terminal terminated terminator terms test tested
testing tests text texts than thanks that the their them theme themselves then there therefore these they thing things
think third this thisp those though thought thousands thread threat three through throughout throw throwing thrown
throws thus tick tilde time timeout timers times timestamp timing tiny tinyexec title tls tmp tmpdir to today todo
together toggle token tokenize tokenizer tokenizing tokens too tool tools toolset top toplevel total towards tr trace
traces tracing track tracking trade traditional traffic trailer trailers trailing transform transformations transformer
transforming transforms transition transitions translated translation transport transports traversal traverse traversed
traversing treat treated treating tree trees triage tried tries trigger triggers trim trimmed trimming troubleshooting
true trust trusted truthy try trying ts tsc ttl tuple turn turned tweak tweaks twice twitter two txt type typed typeof
types typescript typical typically typing typings typo uglifyjs unacceptable unambiguous unbounded unchanged
uncompressed undeclared undef undefined under underlying understand understanding understands undici
undicigetglobaldispatcher unescape unescaped unexpected uniform unilaterally uninitialized union unique unit universal
unknown unless unlikely unlimited unnecessary unofficial unreachable unreferenced unsafe unsigned unsupported until
untrusted unused unusual up update updates updating upgrade upload upon upper uppercase upstream uri url urls urn us
usage use used useful user userinfo userland username users uses using usual usually utf util utilities utility utils
uuid val valid validate validated validates validating validation validator validity valign value values var variable
variables variadic variant variants variations variety varint various vars vary vast vendor verb verbose verifier verify
verifying versa version versioning versions very via vice view views virtual visible visit visitor visually voicemail
void vs vulnerabilities vulnerability vulnerable wait waiting waits walk walking walks want wanted wants war warm warn
warning warnings was wasm way ways we weak web webhook webpack website websocket weight weird welcome well were what
whatever whatwg when whenever where whether which while white whitespace who whole whom whose why widely width wiki
wildcard wildcards will window wire wish with within without word words work workaround workarounds worked worker
workers workflow workflows workforce working workload works world worth worthwhile would wrap wrapped wrapper wrapping
wraps writable write writer writes writing written wrong ws wss xml xmlcreate yallist yargs yarn year years yet yield
yields yml you your yourself yup zero zeroes zeros zh zone zsh
`;
