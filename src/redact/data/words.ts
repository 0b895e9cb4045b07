// Word lists for the free-text detectors, written for this project (not taken from any corpus).
// Lowercase, whitespace-separated; split into Sets by ./index.ts.

/**
 * Frequent English words, plus capitalised words that are not personal data (days, months,
 * product and form vocabulary). A capitalised token in this list is not taken as a name on its own.
 */
export const COMMON_WORDS = `
a about above across act action actually add added address addresses admin after afternoon again against age ago agree ah ahead
air all allow allowed almost alone along already also although always am among amount an and angry animal animation another
answer answering answers any anybody anyone anything anyway anywhere apartment app apply applied appointment appreciate are area
aren't argue argument around arrive arrived article as ask asked asking at atm attach attached available avenue away awesome awful
baby back bad bag balance bank banking bar based basis be beach beautiful became because become bed been before began begin
behind being believe below beneficiary best better between big bill billed billing birth birthday bit black blank block blocked
blue board boat body book born boss both bot bottom box boy branch break breakfast bridge bring broken brother brought build
building built business busy but buy by call called calling calls came can can't cancel cannot car card cards care career
careful carry case cash cat caught cause center central certain chair chance change changed changes channel chapter charge
charged charges check checked checking child children choose church citizen city claim class clean clear click client close
closed club coast code coffee cold college color come comes coming comment commenter community company complaint complete
computer concert condition conference confirm consider contact contain content continue contract control cool copy corner
correct cost could couldn't count country county couple course court cover create created credit crop cross cry culture
current customer cut daily damage dance dark data date daughter day days dead deal dear death debate debit decide decision
deep definitely degree delete deliver delivery department deposit describe design desk detail details did didn't die
different difficult dinner direct direction directed director discount discover discuss disease do doctor document documents
does doesn't dog doing dollar dollars don't done door double down downtown draw dream dress drink drive driver drop due
during each early earn east easy eat economy edge education effect either election else email e-mail employee end energy
enjoy enough enter entire error especially even evening event ever every everybody everyone everything evil exactly example
except excuse exist expect expected expensive experience expire expires expiring explain extra eye face fact factor fail
fair fall family famous fan far farm fast father favorite fax fear fee feel feeling few field fight figure file files fill
film final finally financial find fine finger finish fire firm first fish five fix flight floor fly follow following food
foot for force foreign forget form former forward found four free friend friends from front full fun fund funds further
future game garden gas gave general get gets getting girl give given glad go god goes going gone good got government great
green ground group grow growth guess guy guys had hair half hand handle hang happen happy hard has hate have haven't having
he head health hear heard heart heat hello help her here hers herself hey hi high him himself his history hit hold holiday
home hope hospital hot hotel hour hours house how however huge human hundred husband i i'd i'll i'm i've idea if image
important in include including income increase indeed industry info information inside instead insurance interest
interesting international into invest investment is isn't issue it it's item items its itself job join joined joint just
keep key kid kids kill kind kitchen knew know known lady land language large last late later laugh law lawyer lead leader
learn least leave left leg legal less let let's letter level life light like likely limit line link list listen little live
lived lives living loan local locate located location long look looking lose loss lost lot love low made mail main
maintain major make man manage manager many market married matter maybe me mean meaning measure media medical meet meeting
member memory mention message messages method middle might mile military million mind mine minute miss missing mobile
model modern moment money month months more morning most mother move moved moving movie mr mrs ms much music must my myself
name names nation national natural near nearly necessary need needed needs network never new news newspaper next nice
night no none nor north not note nothing notice now number numbers object occur of off offer office officer often oh ok okay
old on once one online only onto open operation opportunity option options or order other others our out outside over own
owner page paid pain paper parent part particular partner party pass past patient pay payment people per percent perfect
perform perhaps period person personal phone pick picture piece place plan plant play player please point police policy
political poor popular portfolio position possible post power practice prepare present president pressure pretty prevent
price primary print private probably problem process produce product production professional program project proof
property protect prove provide public pull purchase purpose push put quality question questions quick quickly quite race
radio raise range rate rather reach read ready real really reason receive received recent recently record red reduce
refund region register registered relate relationship remain remember remove report represent request require research
resource respond response rest result return reveal review rich right rise risk road rock role room rule run safe said sale
same save saw say saying scene school science score sea season seat second section security see seek seem seen sell send
sender sense sent series serious serve service set settle seven several sex shake share she shoot short should shoulder
show side sign signed significant similar simple simply since sing singer single sir sister sit site situation six size
skill small smile so social society soldier some somebody someone something sometimes son song songs soon sorry sort sound
source south space speak special specific speech spend sport spring staff stage stand standard star start state statement
station stay step still stock stop store story strategy street strong structure student study stuff style subject success
successful such suddenly suffer suggest summer support sure surface system table take taken talk task tax teach teacher team
technology television tell ten tend term terms test than thank thanks that that's the their them themselves then theory
there these they thing things think third this those though thought thousand threat three through throughout throw thus
time title to today together told tomorrow tonight too took top total tough toward town trade traditional training transaction
transactions transfer travel treat treatment tree trial trip trouble true truth try turn tv two type under understand unit
until up upon update us use used user usually value various very victim view visit voice vote wait walk wall want war watch
water way we weapon wear website week weekend weekly weight welcome well went were west what whatever when where whether
which while white who whole whom whose why wide wife will win window wire wish with within without woman women wonder word
work worker world worry would wouldn't write writer wrong yard yeah year years yes yet you you'd you'll you're your yours
yourself youth zip
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october
november december today yesterday spring autumn winter christmas easter
dr prof mr mrs ms miss mx sir madam jr sr ii iii iv phd md dds esq
orchestra musicians band album
mission statement pop rock soul everyone
english french german spanish italian russian american british european african asian japanese chinese indian latin
christian muslim jewish catholic protestant islam buddhist hindu
internet web email ssn iban swift bic pin cvv atm sms url ip api id ids faq ceo cfo cto hr it pr vip usa uk eu un
ok yes no hello hi hey dear thanks regards sincerely best cheers please sorry
bot user agent customer client support admin system
name address phone mobile desk fax office home work website e-mail email personal info date where when who what
street road avenue lane drive boulevard suite apt apartment floor building unit box
inc ltd llc corp co company group corporation
chief executive officer founder founders brainchild keynote speaker leasing consultant network administrator
entertainment awarded salesperson helped looking employment inbound outbound experience energetic driven
act civil rights title protects individuals discrimination
border force treaty union article government leader order warning visa disputes
celebrity recording classical disc gold version copies
producer explained songwriter songwriters composers publishers verse verses lingo resignation
tribute answer
princess royal prince king queen lord lady duke
pedestrians bus station driver restaurant taxi concert
country club bridge falling
note notes patient patients doctor nurse hospital clinic diagnosis history headaches pain stomach male female

love hate fear hope joy anger peace war battery power energy wisdom discipline courage honor honour faith truth justice freedom
mystery comedy drama horror thriller romance suspense fantasy adventure documentary animation family kids action crime western
musical biography history science fiction unlike like unless despite besides beyond during inside outside upon whereas whether
devil angel heaven hell god gods ghost shadow dimensions dimension spirit soul mind body heart dream dreams nightmare magic
morning evening night noon midnight dawn dusk sunrise sunset weather rain snow storm wind thunder lightning sun moon stars star
ocean river mountain valley forest desert island lake beach sky earth world universe planet space nature animal animals bird
birds fish dog dogs cat cats horse horses lion tiger bear wolf fox eagle snake dragon monster robot robots machine machines
king queen prince princess knight soldier captain general president minister senator governor mayor judge lawyer doctor nurse
teacher student professor engineer artist singer dancer actor actress writer author poet painter musician chef driver pilot
labor labour day days week weeks holiday holidays festival party wedding funeral birthday anniversary christmas halloween
thanksgiving summer winter spring autumn fall season seasons year years century decade age ages era
guilty pleasure pleasures pain sorrow happiness sadness loneliness silence noise music song songs album band bands concert
tour radio television movie movies film films show shows series episode season book books novel novels story stories tale tales
poem poems letter letters news newspaper magazine journal article chapter page pages edition version volume
gold silver iron steel stone glass wood paper plastic water fire air ice blood bone bones skin hair eyes eye hands hand
explorer explorers pioneer pioneers hero heroes villain villains legend legends myth myths king kings empire kingdom republic
red blue green yellow black white orange purple pink brown grey gray dark light bright golden silver
first second third fourth fifth sixth seventh eighth ninth tenth last next previous final
inject select insert update delete drop table from where order group by
ok okay yes no maybe please thanks sorry hello goodbye welcome congratulations cheers wow oops hmm yeah
sons daughters brothers sisters friends parents children people men women boys girls
schools school college university academy institute hospital clinic church temple mosque museum library theater theatre
company companies corporation business businesses market markets bank banks store stores shop shops office offices
street streets road roads avenue bridge tower towers castle palace garden gardens park parks square station airport harbour
`;

/** Honorifics and titles that precede a name. */
export const HONORIFICS = `mr mrs ms miss mx dr doctor prof professor sir dame madam madame mme mlle herr frau sr sra srta dom
don dona señor señora signor signora rev reverend fr father sister brother capt captain lt col gen sgt officer judge justice
hon lord lady master mister`;

/** Words after a name that belong to it. */
export const NAME_SUFFIXES = `jr sr ii iii iv v phd md dds dvm esq rn cpa mba`;

/** Particles inside surnames: "van der Voet", "da Silva", "bin Laden". */
export const NAME_PARTICLES = `van der den de da das dos do di del della la le du von zu ten ter bin ibn al el st`;

/**
 * Street types: the USPS suffix abbreviations (Publication 28, appendix C1) with their spelled
 * forms and plurals, plus common non-US words that end a street name.
 */
export const STREET_SUFFIXES = `
alley aly allee annex anx arcade arc avenue ave av bayou byu beach bch bend bnd bluff blf bluffs blfs bottom btm boulevard blvd
branch br bridge brg brook brk brooks burg bg burgs bypass byp camp cp canyon cyn cape cpe causeway cswy center ctr centre centers
circle cir circles cirs cliff clf cliffs clfs club clb common cmn commons corner cor corners cors course crse court ct courts cts
cove cv coves cvs creek crk crescent cres crest crst crossing xing crossroad xrd curve curv dale dl dam dm divide dv drive dr drives drs
estate est estates ests expressway expy extension ext extensions exts falls fls ferry fry field fld fields flds flat flt flats flts
ford frd fords forest frst forge frg forges fork frk forks frks fort ft freeway fwy garden gdn gardens gdns gateway gtwy glen gln
glens green grn greens grove grv groves harbor hbr harbour harbors haven hvn heights hts highway hwy hill hl hills hls hollow holw
inlet inlt island is islands iss isle junction jct junctions key ky keys knoll knl knolls lake lk lakes lks landing lndg lane ln
light lgt lights loaf lf lock lck locks lcks lodge ldg loop mall manor mnr manors meadow mdw meadows mdws mews mill ml mills mls
mission msn motorway mtwy mount mt mountain mtn mountains neck nck orchard orch oval parade park parks parkway pkwy parkways pass
passage psge path pike pine pines place pl plain pln plains plns plaza plz point pt points pts port prt ports prts prairie pr
promenade radial radl ramp ranch rnch rapid rpd rapids rpds rest rst ridge rdg ridges rdgs river riv road rd roads rds route rte
row rue run shoal shl shoals shls shore shr shores shrs skyway skwy spring spg springs spgs spur spurs square sq squares sqs
station sta stravenue stra stream strm street st streets sts summit smt terrace ter trace trce track trak trafficway trfy trail
trl trailer trlr tunnel tunl turnpike tpke underpass upas union un unions valley vly valleys vlys viaduct via view vw views vws
village vlg villages vlgs ville vl vista vis walk walks wall way wy ways well wl wells wls close gate gardens grange wharf wynd
quay embankment rise hill chase mead croft str rkp tee u ul al terrasse vei gate gatan tér utca
`;

/** Street suffixes strong enough to make "Capitalised Word + suffix" an address without a number. */
export const STRONG_STREET_SUFFIXES = `street st avenue ave road rd boulevard blvd lane ln drive terrace crescent parkway pkwy highway hwy
place pl court ct way square sq plaza alley close`;

/** Words that begin a street name in other languages: "Rua do Arenque", "Strada Provinciale". */
export const STREET_PREFIXES = `rua avenida av avda calle carrer camino paseo plaza via viale vicolo strada piazza corso largo
rue boulevard chemin allee allée place quai impasse route ulica ul aleja al utca út ut tér ter körút straße strasse gasse weg
platz ring allé vej gade gata gatan vägen väg veien vei katu tie tori kuja polku straat laan plein gracht kade dreef odos
leoforos plateia sokak sokağı caddesi cad bulvar ulitsa prospekt pereulok naberezhnaya`;

/** Word endings of street names in European languages: "Koskikatu", "Magrethevej", "Þorsteinsgata". */
export const STREET_WORD_ENDINGS = `straße strasse str. gasse weg platz allee ring damm ufer steig pfad chaussee gata gatan gaten
vägen väg vej vejen gade gaden veien vegen veg katu kuja tie tie polku väylä tori straat laan plein gracht kade dreef singel
utca körút ulica ulice ská ská street road`;

/** Unit designators (USPS Publication 28, C2) and the usual words for them. */
export const UNIT_DESIGNATORS = `apt apartment suite ste unit room rm floor fl bldg building dept department lot space spc stop
trlr trailer box pmb hangar hngr pier slip flat #`;

/** Words that end an organisation name. */
export const ORG_SUFFIXES = `inc inc. incorporated ltd ltd. limited llc llp lp plc corp corp. corporation co co. company companies
group holdings holding partners partnership associates international industries enterprises technologies technology
systems solutions services capital investments ventures bank bancorp financial insurance markets media labs laboratories
pharmaceuticals pharma foundation institute university college school hospital clinic agency gmbh ag sa sas sarl srl spa bv
nv ab asa oy kk pty
`;

/** Given names that are also English words: not taken as names when written in lowercase. */
export const AMBIGUOUS_NAMES = `rose joy faith grace ivy lily iris dawn amber ruby pearl frank lance art sue pat rich mark jack carol
chase dean don drew gene gus hazel heather holly jade june may olive penny rob robin sandy skip ted violet will wade bob bill ray
guy mac max buck cliff dale glen hunter mason miles sky summer autumn angel an li lee jan hope noel april august bo per tom
kay long young ward ha hung ping gang na do le
`;

/** Nationalities, languages and group adjectives: not names on their own. */
export const DEMONYMS = `afghan albanian algerian american andorran angolan argentine argentinian armenian australian austrian
azerbaijani bahamian bahraini bangladeshi barbadian belarusian belgian belizean beninese bhutanese bolivian bosnian brazilian
british bruneian bulgarian burmese burundian cambodian cameroonian canadian chadian chilean chinese colombian congolese croatian
cuban cypriot czech danish dominican dutch ecuadorian egyptian emirati english eritrean estonian ethiopian fijian filipino finnish
french gabonese gambian georgian german ghanaian greek grenadian guatemalan guinean guyanese haitian honduran hungarian icelandic
indian indonesian iranian iraqi irish israeli italian ivorian jamaican japanese jordanian kazakh kenyan korean kosovar kuwaiti kyrgyz
lao latvian lebanese liberian libyan lithuanian luxembourgish macedonian malagasy malawian malaysian maldivian malian maltese
mauritanian mauritian mexican moldovan monegasque mongolian montenegrin moroccan mozambican namibian nepalese nepali nicaraguan
nigerian nigerien norwegian omani pakistani palestinian panamanian paraguayan persian peruvian polish portuguese qatari romanian
russian rwandan salvadoran samoan saudi saudis scottish senegalese serbian singaporean slovak slovakian slovenian somali
spanish sudanese surinamese swazi swedish swiss syrian taiwanese tajik tanzanian thai togolese tongan tunisian turkish turkmen
ugandan ukrainian uruguayan uzbek venezuelan vietnamese welsh yemeni zambian zimbabwean arab arabic hebrew hindi urdu bengali
punjabi tamil latino latina hispanic asian african european caucasian scandinavian nordic slavic balkan baltic celtic
christian christians catholic catholics protestant orthodox muslim muslims jewish jew jews buddhist hindu sikh atheist mormon
democrat democrats republican republicans liberal conservative socialist communist
northern southern eastern western central upper lower greater inner outer north south east west northeast northwest southeast
southwest`;

/** Continents and regions (LOCATION). */
export const REGIONS = `africa, europe, asia, antarctica, oceania, australasia, north america, south america, latin america,
central america, middle east, near east, far east, scandinavia, the balkans, balkans, caribbean, the caribbean, siberia, patagonia,
mediterranean, the mediterranean, sahara, sub-saharan africa, southeast asia, east asia, central asia, west africa, east africa,
eastern europe, western europe, the middle east, new england, midwest, the midwest`;
