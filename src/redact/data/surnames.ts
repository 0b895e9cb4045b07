// Family names, written for this project from general knowledge (frequent surnames of the US, UK,
// Ireland, Germany, the Netherlands, the Nordics, France, Italy, Spain, Portugal, Latin America,
// Central and Eastern Europe, Greece, Turkey, the Arab world, South and East Asia). Lowercase.
// Not taken from the corpus. Morphology (-sson, -ová, -ski, -nen…) is in ./index.ts.
export const SURNAMES = `
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson anderson thomas
taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis robinson walker young allen king
wright scott torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez phillips
evans turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper
peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz
hughes price alvarez castillo sanders patel myers long ross foster jimenez powell jenkins perry russell sullivan bell coleman
butler henderson barnes gonzales fisher vasquez simmons romero jordan patterson alexander hamilton graham reynolds griffin
wallace moreno west cole hayes bryant herrera gibson ellis tran medina aguilar stevens murray ford castro marshall owens
harrison fernandez mcdonald woods washington kennedy wells vargas henry chen freeman webb tucker guzman burns crawford olson
simpson porter hunter gordon mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer wagner black robertson boyd
rose stone salazar fox warren mills meyer rice schmidt garza daniels ferguson nichols stephens soto weaver ryan gardner payne
grant dunn kelley spencer hawkins arnold pierce vazquez hansen peters santos hart bradley knight elliott cunningham duncan
armstrong hudson carroll lane riley andrews alvarado ray delgado berry perkins hoffman johnston matthews pena richards
contreras willis carpenter lawrence sandoval guerrero george chapman rios estrada ortega watkins greene nunez wheeler
valdez harper burke larson santiago maldonado morrison franklin carlson austin dominguez carr lawson jacobs obrien lynch
singh vega bishop montgomery oliver jensen harvey williamson gilbert dean sims espinoza howell li wong reid hanson le mccoy
garrett burton fuller wang weber welch rojas lucas marquez fields park yang little banks padilla day walsh bowman schultz
luna fowler mejia davidson acosta brewer may holland juarez newman pearson curtis cortez douglas schneider joseph barrett
navarro figueroa keller avila wade molina stanley hopkins campos barnett bates chambers caldwell beck lambert miranda byrd
craig ayala lowe frazier powers neal leonard gregory carrillo sutton fleming rhodes shelton schwartz norris jennings watts
duran walters cohen mcdaniel moran parks steele vaughn becker holt deleon barker terry hale leon hail benson haynes horton
miles lyons pham graves bush thornton wolfe warner cabrera mckinney mann zimmerman dawson lara fletcher page mccarthy love
robles cervantes solis erickson reeves chang klein salinas fuentes baldwin daniel simon velasquez hardy higgins aguirre lin
cummings chandler sharp barber bowen ochoa dennis robbins liu ramsey francis griffith paul blair oconnor cardenas pacheco
cross calderon quinn moss swanson chan rivas khan rodgers serrano fitzgerald rosales stevenson christensen manning gill
curry mclaughlin harmon mcgee gross doyle garner newton burgess reese walton blake trujillo adkins brady goodman roman webster
goodwin fischer huang potter delacruz montoya todd wu hines mullins castaneda malone cannon tate mack sherman hubbard hodges
zhang guerra wolf valencia saunders franco rowe gallagher farmer hammond hampton townsend ingram wise gallegos clarke barton
schroeder maxwell waters logan camacho strickland norman person colon parsons frank harrington glover osborne buchanan casey
floyd patton ibarra ball tyler suarez bowers orozco salas cobb gibbs andrade bauer conner moody escobar mcguire lloyd mueller
hartman french kramer mcbride pope lindsey velazquez norton mccormick sparks flynn yates hogan marsh macias villanueva
zamora pratt stokes owen ballard lang brock villarreal charles drake barrera cain patrick pineda burnett mercado santana
shepherd bautista ali shaffer lamb trevino mckenzie hess beil olsen cochran morton nash wilkins petersen briggs shah roth
nicholson holloway lozano rangel flowers hoover short arias mora valenzuela bryan meyers weiss underwood bass greer summers
houston carson morrow clayton whitaker decker yoder collier zuniga carey wilcox melendez poole roberson larsen conley davenport
copeland massey lam huff rocha cameron jefferson hood monroe anthony pittman huynh randall singleton kirk combs mathis
christian skinner bradford richard galvan wall boone kirby wilkinson bridges bruce atkinson velez meza roy vincent york
hodge villa abbott allison tapia gates chase sosa sweeney farrell wyatt dalton horn barron phelps yu dickerson heath foley
atkins mathews bonilla acevedo benitez zavala hensley glenn cisneros harrell shields rubio huffman choi boyer garrison arroyo
bond kane hancock callahan dillon cline wiggins grimes arellano melton oneill savage ho beltran pitts parrish ponce rich
booth koch golden ware brennan mcdowell marks cantu humphrey baxter sawyer clay tanner hutchinson kaur berg wiley gilmore
russo villegas hobbs keith wilkerson ahmed beard mcclain montes mata rosario vang walter henson oneal mosley mcclure beasley
stephenson snow huerta preston vance barry johns eaton blackwell dyer prince macdonald solomon guevara stafford english
hurst woodard cortes shannon kemp nolan mccullough merritt murillo moon salgado strong kline cordova barajas roach rosas
winters jacobson lester knox bullock kerr leach meadows orr davila whitehead pruitt kent conway mckee barr david dejesus
marin berger mcintyre blankenship gaines palacios cuevas bartlett durham dorsey mccall odonnell stein browning stout lowery
sloan mclean hendricks calhoun sexton chung gentry hull duarte ellison nielsen gillespie buck middleton sellers leblanc
esparza hardin bradshaw mcintosh howe livingston frost glass morse knapp herman stark bravo noble spears weeks corona frederick
buckley mcfarland hebert enriquez hickman quintero randolph schaefer walls trejo house reilly pennington michael conrad giles
benjamin crosby fitzpatrick donovan mays mahoney valentine raymond medrano hahn mcmillan small bentley felix peck lucero
boyle hanna pace rush hurley harding mcconnell bernal nava ayers everett ventura avery pugh mayer bender shepard mcmahon
landry case sampson moses magana blackburn dunlap gould duffy vaughan herring mckay espinosa rivers farley bernard ashley
friedman potts truong costa correa blevins nixon clements fry delarosa best benton lugo portillo dougherty crane haley phan
villalobos blanchard horne finley quintana lynn esquivel bean dodson mullen xiong hayden cano levy huber richmond moyer lim
frye sheppard mccarty avalos booker waller parra woodward jaramillo krueger rasmussen brandt peralta donaldson stuart faulkner
maynard galindo coffey estes sanford burch maddox vo oconnell vu andersen spence mcpherson church schmitt stanton leal cherry
compton dudley sierra pollard alfaro hester proctor lu hinton novak good madden mccann terrell jarvis dickson reyna cantrell
mayo branch hendrix rollins rowland whitney duke odom daugherty travis tang archer
müller mueller schmidt schneider fischer weber meyer wagner becker schulz hoffmann schäfer koch bauer richter klein wolf
schröder neumann schwarz zimmermann braun krüger hofmann hartmann lange schmitt werner schmitz krause meier lehmann schmid
schulze maier köhler herrmann könig walter mayer huber kaiser fuchs peters lang scholz möller weiß jung hahn schubert vogel
friedrich keller günther frank berger winkler roth beck lorenz baumann franke albrecht schuster simon ludwig böhm winter
kraus martin schumacher krämer vogt stein jäger otto sommer groß seidel heinrich brandt haas schreiber graf schulte dietrich
ziegler kuhn kühn pohl engel horn busch bergmann thomas voigt sauer arnold wolff pfeiffer
de jong jansen de vries van den berg van dijk bakker janssen visser smit meijer de boer mulder de groot bos vos peters
hendriks van leeuwen dekker brouwer de wit dijkstra smits de graaf van der meer van der linden kok jacobs de haan vermeulen
van den heuvel van der veen van den broek de bruijn de bruin van der heijden schouten van beek willems van vliet van de ven
hoekstra maas verhoeven koster van dam van der wal prins blom huisman peeters maes claes goossens wouters dubois lambert
johansson andersson karlsson nilsson eriksson larsson olsson persson svensson gustafsson pettersson jonsson jansson hansson
bengtsson jönsson lindberg jakobsson magnusson olofsson lindström lindqvist lindgren berg axelsson bergström lundberg lind
lundgren lundqvist mattsson berglund fredriksson sandberg henriksson forsberg sjöberg wallin engström eklund danielsson
lundin håkansson björk bergman gunnarsson holm wikström samuelsson isaksson fransson bergqvist nyström holmberg arvidsson
löfgren söderberg nyberg blomqvist claesson nordström
hansen johansen olsen larsen andersen pedersen nilsen kristiansen jensen karlsen johnsen pettersen eriksen berg haugen
hagen johannessen andreassen jacobsen dahl jørgensen halvorsen henriksen lund sørensen jakobsen moen gundersen iversen
strand solberg svendsen eide knutsen martinsen paulsen bakken kristoffersen mathisen lie amundsen nguyen rasmussen
ali nielsen madsen christensen poulsen thomsen christiansen møller mortensen knudsen
korhonen virtanen mäkinen nieminen mäkelä hämäläinen laine heikkinen koskinen järvinen lehtonen lehtinen saarinen salminen
heinonen niemi heikkilä kinnunen salonen turunen salo laitinen tuominen rantanen karjalainen jokinen mattila savolainen
lahtinen ahonen
jónsson sigurðsson guðmundsson gunnarsson ólafsson einarsson kristjánsson stefánsson jóhannsson magnússon jónsdóttir
sigurðardóttir guðmundsdóttir
martin bernard dubois thomas robert richard petit durand leroy moreau simon laurent lefebvre michel garcia david bertrand
roux vincent fournier morel girard andre lefevre mercier dupont lambert bonnet francois martinez legrand garnier faure
rousseau blanc guerin muller henry roussel nicolas perrin morin mathieu clement gauthier dumont lopez fontaine chevalier
robin masson sanchez gerard nguyen boyer denis lemaire duval joly gautier roger roche roy noel meyer lucas meunier jean
perez marchand dufour blanchard marie barbier brun dumas brunet schmitt leroux colin fernandez pierre renard arnaud rolland
caron aubert giraud leclerc vidal bourgeois renaud lemoine picard gaillard philippe leclercq lacroix fabre dupuis olivier
rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti de luca mancini costa giordano rizzo
lombardi moretti barbieri fontana santoro mariani rinaldi caruso ferrara galli martini leone longo gentile martinelli vitale
lombardo serra coppola de santis d'angelo marchetti parisi villa conte ferraro ferri fabbri bianco marini grasso valentini
messina sala de angelis gatti pellegrini palumbo sanna farina rizzi monti cattaneo morelli amato silvestri mazza testa grassi
pellegrino carbone giuliani benedetti barone rossetti caputo montanari guerra palmieri bernardi martino fiore de rosa
ferretti bellini basile riva donati piras vitali battaglia sartori neri costantini milani pagano ruggiero sorrentino
d'amico orlando damico negri
garcía fernández gonzález rodríguez lópez martínez sánchez pérez gómez martín jiménez ruiz hernández díaz moreno muñoz álvarez
romero alonso gutiérrez navarro torres domínguez vázquez ramos gil ramírez serrano blanco molina morales suárez ortega delgado
castro ortiz rubio marín sanz núñez iglesias medina garrido cortés castillo santos lozano guerrero cano prieto méndez cruz
calvo gallego vidal león márquez herrera peña flores cabrera campos vega fuentes carrasco diez caballero reyes nieto aguilar
pascual santana herrero lorenzo montero hidalgo giménez ibáñez ferrer durán santiago benítez mora vicente vargas arias
carmona crespo román pastor soto sáez velasco moya soler parra esteban bravo gallardo rojas
silva santos ferreira pereira oliveira costa rodrigues martins jesus sousa fernandes gonçalves gomes lopes marques alves
almeida ribeiro pinto carvalho teixeira moreira correia mendes nunes soares vieira monteiro cardoso rocha raposo neves
coelho cruz cunha pires ramos reis simões antunes matos fonseca barbosa araújo barros lima azevedo cavalcanti nascimento
nowak kowalski wiśniewski wójcik kowalczyk kamiński lewandowski zieliński szymański woźniak dąbrowski kozłowski jankowski
mazur wojciechowski kwiatkowski krawczyk kaczmarek piotrowski grabowski zając pawłowski michalski król wieczorek jabłoński
wróbel nowakowski majewski olszewski stępień malinowski jaworski adamczyk dudek nowicki pawlak górski witkowski walczak sikora
baran rutkowski michalak szewczyk ostrowski tomaszewski pietrzak marciniak wróblewski zalewski jakubowski jasiński zawadzki
sadowski bąk chmielewski włodarczyk borkowski czarnecki sawicki sokołowski urbański kubiak maciejewski szczepański kucharski
wilk kalinowski lis mazurek wysocki adamski kaźmierczak wasilewski sobczak czerwiński andrzejewski cieślak głowacki zakrzewski
kołodziej sikorski krajewski gajewski szymczak szulc baranowski laskowski brzeziński makowski ziółkowski przybylski
novák svoboda novotný dvořák černý procházka kučera veselý horák němec pokorný marek pospíšil hájek jelínek král růžička
beneš fiala sedláček doležal zeman kolář navrátil čermák urban vaněk blažek kříž kovář bartoš vlček polák musil kopecký
šimek konečný malý holub čech štěpánek staněk kadlec dostál soukup šťastný mareš moravec sýkora tichý valenta vávra matoušek
bláha říha ševčík bureš hruška mašek pavlík dušek janda hrubý mach kopecká nováková svobodová novotná dvořáková černá
procházková kučerová veselá horáková němcová pokorná pospíšilová hájková jelínková králová
nagy kovács tóth szabó horváth varga kiss molnár németh farkas balogh papp takács juhász lakatos mészáros oláh simon rácz
fekete szilágyi török fehér balázs gál kis szűcs kocsis orsós pintér fodor szalai sipos magyar lukács gulyás biró király
katona lászló jakab bogdán balog sándor boros fazekas kelemen antal orosz somogyi fülöp veres budai vincze hegedűs deák
pap bálint illés pál vass szőke fábián vörös lengyel bognár bodnár jónás szücs hajdu halász máté székely gáspár kozma
pásztor bakos dudás major orbán hegedüs virág barna novák soós tamás nemes pataki balla faragó kerekes borbély barta péter
szekeres csonka mezei márton sárközi berki márkus nyitrai
ivanov smirnov kuznetsov popov vasiliev petrov sokolov mikhailov novikov fedorov morozov volkov alekseev lebedev semenov
egorov pavlov kozlov stepanov nikolaev orlov andreev makarov nikitin zakharov zaitsev soloviev borisov yakovlev grigoriev
romanov vorobiev sergeev kuzmin frolov alexandrov dmitriev korolev gusev kiselev ilyin maksimov polyakov sorokin vinogradov
kovalev belov medvedev antonov tarasov zhukov baranov filippov komarov davydov belyaev gerasimov bogdanov osipov sidorov
matveev titov markov mironov krylov kulikov karpov vlasov melnikov denisov gavrilov tikhonov kazakov afanasiev danilov
savelyev timofeev fomin chernov abramov martynov efimov fedotov shcherbakov nazarov kalinin isaev chernyshev bykov maslov
rodionov konovalov lazarev voronin klimov filatov ponomarev golubev kudryavtsev prokhorov naumov potapov zhuravlev ovchinnikov
trofimov leonov sobolev ermakov kolesnikov goncharov emelyanov nikiforov grachev kotov grishin efremov arkhipov gromov
kirillov malyshev panov moiseev rumyantsev akimov kondratiev biryukov gorbunov kiselyov
ivanova smirnova kuznetsova popova vasilieva petrova sokolova mikhailova novikova fedorova morozova volkova
shevchenko kovalenko bondarenko tkachenko kravchenko oliynyk shevchuk koval polishchuk bondar tkachuk lysenko marchenko
rudenko savchenko petrenko moroz kravets melnyk boyko
jovanović petrović nikolić marković đorđević stojanović ilić stanković pavlović milošević popović horvat kovačević babić
marić jurić novak kovačić knežević vuković perić matić tomić pavić božić blažević grgić pavlović radić kralj
papadopoulos papadakis georgiou dimitriou nikolaou konstantinou ioannou christodoulou pappas oikonomou vasileiou athanasiou
yilmaz kaya demir şahin çelik yıldız yıldırım öztürk aydın özdemir arslan doğan kılıç aslan çetin kara koç kurt özkan şimşek
polat korkmaz
mohamed ahmed ali hassan hussein ibrahim mahmoud mustafa abdullah khalil haddad nasser saleh salem rahman karimi hosseini
ahmadi mohammadi rezaei moradi
kumar sharma singh patel gupta shah mehta joshi verma reddy rao nair iyer pillai menon chatterjee banerjee mukherjee das dutta
bose ghosh sen roy agarwal jain malhotra kapoor chopra bhat desai kulkarni pandey mishra tiwari yadav chauhan thakur
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng liang xie song tang han feng deng cao
peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen yao jin tan lam chan wong cheung leung ho ng
tsang chow kwok fung
sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida yamada sasaki yamaguchi matsumoto inoue
kimura hayashi shimizu yamazaki mori abe ikeda hashimoto yamashita ishikawa nakajima maeda fujita ogawa goto okada hasegawa
murakami kondo ishii saito sakamoto endo aoki fujii nishimura fukuda ota miura fujiwara okamoto matsuda nakagawa nakano harada
ono tamura takeuchi kaneko wada nakayama ishida ueda morita hara shibata sakai kudo yokoyama miyazaki miyamoto uchida takagi
ando taniguchi ohno maruyama imai takada fujimoto takeda murata ueno sugiyama masuda sugawara hirano otsuka koyama chiba kubo
matsui iwasaki sakurai kinoshita noguchi matsuo nomura kikuchi sano onishi sugimoto arai hamada kojima
kim lee park choi jung kang cho yoon jang lim han oh seo shin kwon hwang ahn song yoo hong jeon ko moon yang son bae baek heo
nam
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly
okafor okeke adeyemi adebayo okonkwo mensah owusu boateng asante osei appiah banda phiri mwangi kamau otieno ochieng dlamini
nkosi ndlovu khumalo mokoena
o'brien o'connor o'neill o'sullivan o'reilly o'donnell o'connell o'leary o'shea mcgrath byrne ryan walsh kelly murphy doyle
kennedy lynch murray quinn moore mccarthy
`;
