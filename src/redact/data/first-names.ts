// Given names, written for this project from general knowledge (English-speaking, European,
// Nordic, Slavic, Hungarian, Greek, Latin American, Arabic, Turkish, South and East Asian,
// African). Lowercase, ASCII and accented spellings both where common. Not taken from the corpus.
export const FIRST_NAMES = `
aaron abby abdul abdullah abel abigail abraham ada adam adams adela adele adrian adriana adrienne agatha agnes ahmed ahmad aidan
aileen aisha alan alana albert alberta alberto albin alejandra alejandro aleksander aleksandr aleksandra alessandra alessandro
alex alexa alexander alexandra alexandre alexei alexis alfie alfonso alfred alfredo ali alice alicia alina alison allan allen
allison alma alvaro alvin alyssa amanda amber amelia amelie amir amos amy ana anastasia anders andre andrea andreas andrei andres
andrew andrey andrzej andy angel angela angelica angelika angelo angie anika anita ann anna annabel anne anneliese annette annie
ansel anthony antoine anton antonia antonio anya april archie ariana arianna ariel arjun arnold arthur arturo arvid asa ashley
astrid aubrey audrey august augusta aurora austin ava axel ayesha barbara barry bart bartholomew basil beatrice beatriz becky
belinda bella ben benedict benjamin bernadette bernard bernardo bert bertha bertram beth bethany betty beverly bianca bill billy
bjorn björn blake bo bob bobby bogdan bonnie boris brad bradley brandon brenda brendan brett brian bridget brigitte britney
brittany brooke bruce bruno bryan bryce caitlin caleb callum calvin camila camille candace cara carl carla carlo carlos carmen
carol carole caroline carolyn carrie casey cassandra catalina catherine cathy cecilia cecil cedric celia cesar chad chandler
charles charlie charlotte chase chelsea cheryl chester chloe chris christian christina christine christoph christophe christopher
cindy claire clara clarence clark claude claudia claudio clayton clemens cliff clifford clint clyde cody colin colleen connor
conrad constance constantin cora corey cornelius courtney craig cristian cristina curtis cynthia daisy dale damian damien dan
dana daniel daniela daniele danielle danny dante daphne darius darko darren darryl dave david dawn dean debbie deborah debra
declan deirdre delia denis denise dennis derek desmond destiny dexter diana diane diego dieter dimitri dimitris dina dirk dmitri
dmitry dolores dominic dominik dominique don donald donna dora doris dorothy doug douglas drew duncan dustin dylan earl ed eddie
edgar edith edmund eduardo edward edwin eileen elaine eleanor elena eli elias elijah elin elisa elisabeth elise eliza elizabeth
ella ellen ellie elliot elliott eloise elsa elsie emil emile emilia emilie emilio emily emma emmanuel enrico enrique eric erica
erik erika erin ernest ernesto ernst esperanza esteban estelle esther ethan eugene eugenia eva evan evelyn ewa ezra fabian fabio
fabrizio faith farah fatima federico felicia felipe felix fernanda fernando filip filippo finn fiona florence floyd frances
francesca francesco francis francisco franco frank frankie franz fred freddie freddy frederick frederik freya frida fritz gabriel
gabriela gabriele gabrielle gail gareth garrett gary gavin gemma gene geoffrey george georgia georgina gerald gerard gerhard
gianluca gianni gilbert gina giorgio giovanni gisela giulia giuseppe gladys glen glenn gloria gordon grace graham grant greg
gregory greta gretchen guadalupe gunnar gustav gustavo guy gwen hailey hal hana hank hannah hans harold harriet harris harrison
harry harvey hazel heather hector heidi heinrich heinz helen helena helene helga henri henrik henry herbert herman hilda holly
homer hope horace howard hugh hugo ian ibrahim ida ignacio igor ilse imogen inez ines inga ingrid irene iris irma isaac isabel
isabella isabelle isaiah ismael ivan ivana ivy jack jackie jackson jacob jacqueline jacques jade jaime jake james jamie jan jana
jane janet janice janine jared jasmine jason javier jay jean jeanne jeff jeffrey jennifer jenny jeremy jerome jerry jesse jessica
jesus jill jim jimmy jo joan joanna joanne joaquin joaquín jocelyn jodie joe joel johan johann johanna johannes john johnny jon
jonas jonathan jordan jorge jose josé josef joseph josephine josh joshua joy joyce juan juana judith judy jules julia julian
juliana julie julien juliet julio june jurgen jürgen justin kai karen karim karin karina karl karla kate katharina katherine
kathleen kathryn kathy katie katrin katrina kay kayla keith kelly ken kendra kenneth kent kerry kevin kim kimberly kirk kirsten
klaus kristen kristin kristina kurt kyle lana lance lara larry lars laura lauren laurence laurent lawrence lea leah lee leif leila
lena leo leon leonard leonardo leonie leopold leroy leslie lester levi lewis lia liam lila lillian lily lina linda lindsay lindsey
lionel lisa liv liz lloyd logan lois lola lorena lorenzo loretta lorraine lottie louis louisa louise lucas lucia luciano lucy luis
luisa luka lukas luke luna lydia lyle lynn mabel mackenzie madeline madison mae maggie magnus malcolm mandy manfred manuel manuela
mara marc marcel marcela marcelo marco marcus margaret margarita margot maria mariana marianne marie marilyn marina mario marion
marisa marjorie mark marko marlene marta martha martin martina marvin mary maryam mason mateo mathias matilda matt matteo matthew
matthias maureen maurice max maxim maxime maximilian maya megan melanie melissa melvin mercedes meredith mia micah michael michaela
michel michele michelle miguel mikael mike mikhail milan mildred miles milo mina miranda miriam mitchell mohamed mohammad mohammed
molly mona monica monika morgan moritz muhammad muriel murray nadia nadine nancy naomi natalia natalie natasha nathan nathaniel
neil nell nelson nicholas nick nicky nico nicolas nicole niels nikita nikola nikolai nikolaos nils nina noah noel nora norbert
norma norman olaf olga oliver olivia omar oscar oskar otto owen pablo paige pamela paola paolo pascal pat patricia patrick paul
paula paulina pauline pavel pedro peggy penelope per percy peter petra philip philipp philippe phillip phoebe phyllis pierre piotr
priscilla quentin quinn rachel rafael raffaele ralph ramon ramón randall randy raphael raquel raul raúl ray raymond rebecca reggie
regina reginald reid rena renata rene renee rené rex rhonda ricardo richard rick ricky rita rob robert roberta roberto robin rocco
rodney rodrigo roger roland rolf roman ronald ronnie rosa rosalie rose rosemary ross roy ruben rudolf rudy rupert russell ruth
ryan sabine sabrina sadie sally salvatore sam samantha samir samuel sandra sandy sara sarah sasha saul scott sean sebastian
serena sergei sergey sergio seth shane shannon sharon shaun shawn sheila shelby shelley sheryl shirley sidney sigrid silvia simon
simona simone sofia sofie sonia sonja sophia sophie spencer stacy stan stanley stefan stefanie stefano stella stephan stephanie
stephen steve steven stuart sue susan susanne suzanne sven sylvia sylvie tamara tammy tanya tara ted teresa terrence terry
tessa thea theo theodore theresa thomas tiffany tim timothy tina tobias toby todd tom tomas tomasz tommy toni tony tracy travis
trevor tristan troy tyler ulrich ulrike ursula valentina valentin valeria valerie vanessa vera veronica veronika vicky victor
victoria vincent viola violet virginia vivian vladimir walter wanda warren wayne wendy werner wesley whitney wilhelm will william
willie wilma winston wolfgang xavier yasmin yolanda yusuf yvonne zachary zara zoe zoé zoey
anneke annelies bram daan femke fleur floor geert gerrit hendrik henk jeroen joost joris kees lieke lotte maarten marieke
mathijs merel niek pieter rik roel ruud sander sanne stijn thijs tijn wim wouter
agneta ake åke anneli annika arne berit birgitta bo britt dagny eero eino elina erkki esko hannu heikki ilkka jaana jari jarmo
jukka juha kaarina kalle kari kirsi kristiina leena liisa marjatta markku matti mikko minna oili olli paavo pekka pentti pirjo
raili raimo riikka risto sari seppo sirpa tapio tarja teemu timo tuomas tuula ulla veikko ville yrjö aino aleksi antti eetu
elias emilia onni venla väinö
ásta birna bjarni einar elín erla eyjólfur gudrun guðrún gunnhildur gísli halldór hallgrímur helgi hildur ingibjörg jóhann
jón katrín kristín magnús ólafur ragnar ragnheiður sigríður sigurður sólveig sveinn thor þór þórunn vigdís
alfhild asbjørn bente bodil dag eirik even frode geir gry grete halvor hege ingeborg jens jørgen kjell knut kristoffer lasse
linnea mads malene mette morten nils ole oddvar pernille rasmus rune signe silje solveig steinar stine terje tone torbjørn
tor tove trine trond turid ulf vibeke
agnieszka aleksy bartosz bolesław bożena czesław danuta dorota elżbieta grażyna grzegorz halina henryk irena jadwiga
jakub janusz jarosław jerzy joanna kamil karolina katarzyna kazimierz krystyna krzysztof leszek łukasz maciej magdalena małgorzata
marek mariusz marzena mieczysław mirosław natalia paweł przemysław radosław rafał renata ryszard sławomir stanisław
szymon tadeusz teresa wiesław witold władysław wojciech zbigniew zofia zuzanna
alena blanka bohumil bohuslav božena dana daniela eliška františek hana ivana jaromír jaroslav jindřich jiří kateřina květa
ladislav libor lubomír ludmila lucie markéta marta miloš miroslav ondřej petr radek radka romana stanislava tereza václav
věra vladimír vlasta zdeněk zdenka
ágnes andrás anikó attila balázs béla csaba dániel ede emese endre enikő erzsébet ferenc gábor gergely györgy gyula ildikó
imre istván judit júlia katalin kinga krisztina lajos lászló levente márta mihály miklós nándor orsolya
réka róbert sándor szilvia tamás tibor tünde zoltán zsófia zsolt kálmán bence botond dorottya
alla anatoly andrei arkady bogdana daria darya dmitriy evgeny evgenia fyodor galina gennady grigory inna irina kirill
ksenia lev lidia lyudmila maksim margarita nadezhda nikolay oksana pyotr raisa ruslan stanislav svetlana taras tatiana
tatyana timur valentin valery vasily viktor vitaly vladislav vyacheslav yaroslav yekaterina yelena yevgeny yulia yuri yury zinaida
zoya nurlan aigerim askar dauren gulnara rustam
ante branko dragan dražen goran igor ivo jelena josip jovan katarina ljiljana marija milica milena miloš mirjana nada nebojša
nenad predrag radovan slavko snežana srđan stjepan tomislav vesna zoran željko albin bojan mojca
rok špela tjaša urška
andreas angeliki anastasios apostolos athanasios christos dimitra eleni evangelos georgios ioannis konstantinos maria nikos
panagiotis spyros stavros theodoros vasileios yiannis
adriano alessio antonella arianna beatrice camillo carmela chiara cinzia concetta cosimo daniela donatella elio emanuele
ettore fausto gaetano giacomo gianfranco gino girolamo giuliano ilaria lorenza loredana luca luigi mafalda marcello massimo
maurizio mirella nicola ornella pasquale piero pietro renato rocco rosalia salvatore sergio simonetta tiziana umberto valerio
vittoria vittorio
adolfo agustín alba alfonso alicia amparo anselmo aurelio baltasar benito candela carmelo casimiro celestino consuelo dolores
encarnación eusebio fabiola florencia gonzalo graciela guillermo horacio inmaculada jacinto jimena leandro lorena lucía luciana
marcos mariano matías maximiliano milagros montserrat nicolás octavio pilar ramiro remedios rocío rodolfo rosario santiago
soledad teodoro valentín ximena
adriano antônio bento caio conceição diogo fábio flávio gonçalo guilherme joão joaquim leonor luíza marcelo mariana otávio
raimundo rui sebastião tiago vinícius
amélie anaïs aurélie benoît céline cécile clémence dominique élodie émile étienne gaëlle gaspard gérard hélène jérôme josiane
léa léon lucien madeleine margaux mathilde maël noël océane pascale rémi renée sébastien séverine solène thibault yannick
anke annegret birgit brunhilde detlef dietrich ekkehard elke frauke gerd gertrud gudrun günter günther hannelore hartmut helmut
hildegard horst ilse jens jörg karsten kerstin lothar manfred matthias mechthild ottilie reinhard rüdiger sieglinde siegfried
torsten uwe volker waltraud wiebke
aiko akira ayumi chiyo daiki daisuke emi haruka haruto hideki hiroshi hiroko hiroyuki ichiro kaito kaori kazuki kenji
kenta koji kyoko mai makoto mariko masako masato mei michiko minoru miyu naoki naoko nobu ren riko ryo ryota sakura satoshi
shigeru shinji sho sora takashi takeshi takumi taro tetsuya tomoko toshiro yoko yoshiko yui yuki yumi yuta
an bao chen chun dong fang feng gang hao hong hua hui jian jie jing jun lan lei li lian lin ling ming na ning ping qiang qing
rong shu tao ting wei wen xia xiao xin xiu yan yang yi ying yong yu yun zhen zhi zhong
ji-hoon ji-woo min-jun seo-yeon soo-jin ha-eun hyun jae-won jin jung min-ji seung sung young
aarav aditi aditya akash amit ananya anil anjali arjun aryan deepak divya ganesh gaurav harish ishaan kavya krishna lakshmi
manish meera mohan neha nikhil pooja pradeep priya rahul raj rajesh rakesh ravi rohan sanjay sara shivani shreya sita sunil
suresh vijay vikram vishal
abdel abdelaziz amina amine aziz bilal farid fatma hamza hassan hussein ibrahim imane jamal karim khadija khaled khalid laila
layla mahmoud malik mariam mustafa nabil nadia omar rania rashid said salma sami samira tariq walid yasmin yousef youssef zainab
zeynep ahmet ayşe burak cem elif emre fatih hakan kemal mehmet murat özlem selin serkan tolga
abena adwoa akua chidi chinedu emeka kwame kwabena kofi ngozi nkechi obinna oluwaseun tunde yaw zanele thabo sipho
`;
