"""Real-world vocabulary for the generated benchmark packs.

Trigger words: the first few hundred are common news verbs and event nouns (written out here,
most frequent kinds of event first), the rest are drawn from the English lemma list that
lemminflect ships (`infl_lu.csv.gz`), so a 1,000-rule pack has ~1,000 different triggers,
many of them rare, like a real pack that covers a whole domain.

Names: countries, cities, armed groups and organisations, and weapons that occur in news
(mixed-case wire news and the 1988-91 Latin-American MUC text), so that the lexicon-typed
arguments of the generated rules find real mentions.
"""
from __future__ import annotations

import csv
import gzip
from functools import cache
from pathlib import Path

# Common verbs of news events, roughly most to least frequent kind of event.
NEWS_VERBS = """
attack kill launch arrest fire bomb shoot wound kidnap capture seize destroy strike hit
invade occupy raid ambush bombard shell target detain release free accuse charge sentence
convict jail execute murder assassinate threaten warn condemn denounce criticize announce
report claim deny confirm reject approve sign agree negotiate meet visit elect appoint
resign dismiss replace nominate vote win defeat lose protest demonstrate march rally
block close open evacuate rescue flee escape surrender retreat advance deploy withdraw
send dispatch mobilize reinforce patrol search investigate probe interrogate torture abduct
hijack burn loot vandalize sabotage explode detonate plant defuse intercept
clash fight battle storm besiege surround encircle overrun liberate recapture bombard
sanction ban suspend expel deport extradite impose lift veto ratify pass adopt enact
fund finance supply sell buy export import trade invest acquire merge cut raise lower
increase decrease reduce boost slash estimate forecast predict expect hire
injure hurt damage collapse crash sink derail flood erupt
infect vaccinate test quarantine hospitalize treat cure diagnose die recover
sue indict prosecute acquit pardon parole fine testify plead appeal overturn uphold rule
""".split()

# Event nouns of news, most frequent first.
NEWS_NOUNS = """
attack bombing explosion blast shooting killing massacre ambush raid offensive assault
airstrike strike shelling kidnapping abduction assassination murder arrest detention
clash battle skirmish firefight invasion incursion occupation siege blockade ceasefire
truce protest demonstration riot uprising rebellion coup mutiny election referendum
resignation appointment nomination summit meeting talks negotiation agreement treaty deal
sanction embargo ban boycott walkout lawsuit trial verdict conviction
sentence execution pardon indictment investigation inquiry probe scandal merger acquisition
takeover bankruptcy layoff recession earthquake flood hurricane wildfire eruption drought
famine epidemic outbreak pandemic accident crash collision derailment fire evacuation
rescue hijacking sabotage looting arson
""".split()

# Words that must not be used as triggers: auxiliaries, function words, and words the rule
# templates themselves use as fixed context.
TEMPLATE_WORDS = frozenset("""
be is was were been being has have had do does did will would can could may might shall
should must in at near on by from with using to of the a an and or but for against
carry carried out conduct conducted stage staged claim claimed
""".split())

COUNTRIES = """
Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|
Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|
Bosnia and Herzegovina|Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|
Cameroon|Canada|Cape Verde|Central African Republic|Chad|Chile|China|Colombia|Comoros|
Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Democratic Republic of the Congo|Denmark|
Djibouti|Dominica|Dominican Republic|East Timor|Ecuador|Egypt|El Salvador|Equatorial Guinea|
Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|
Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|India|
Indonesia|Iran|Iraq|Ireland|Israel|Italy|Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|Kenya|
Kiribati|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|
Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Marshall Islands|
Mauritania|Mauritius|Mexico|Micronesia|Moldova|Monaco|Mongolia|Montenegro|Morocco|
Mozambique|Myanmar|Namibia|Nauru|Nepal|Netherlands|New Zealand|Nicaragua|Niger|Nigeria|
North Korea|North Macedonia|Norway|Oman|Pakistan|Palau|Palestine|Panama|Papua New Guinea|
Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Republic of the Congo|Romania|Russia|Rwanda|
Saint Lucia|Samoa|San Marino|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|
Slovakia|Slovenia|Solomon Islands|Somalia|South Africa|South Korea|South Sudan|Spain|
Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Togo|
Tonga|Trinidad and Tobago|Tunisia|Turkey|Turkmenistan|Tuvalu|Uganda|Ukraine|
United Arab Emirates|United Kingdom|United States|Uruguay|Uzbekistan|Vanuatu|Vatican City|
Venezuela|Vietnam|Yemen|Zambia|Zimbabwe
"""

# Extra aliases of some countries (as places).
COUNTRY_ALIASES = {
    "United States": ["U.S.", "US", "USA", "America", "United States of America"],
    "United Kingdom": ["UK", "U.K.", "Britain", "Great Britain"],
    "Russia": ["Russian Federation"],
    "China": ["People's Republic of China", "PRC"],
    "North Korea": ["DPRK"],
    "South Korea": ["Republic of Korea"],
    "Myanmar": ["Burma"],
    "Ivory Coast": ["Cote d'Ivoire"],
    "Democratic Republic of the Congo": ["DR Congo", "DRC"],
    "Czech Republic": ["Czechia"],
    "Netherlands": ["Holland"],
    "United Arab Emirates": ["UAE"],
    "Vietnam": ["Viet Nam"],
}

# Demonyms, used as actor aliases ("Iranian forces", "a Colombian court").
DEMONYMS = {
    "Afghanistan": "Afghan", "Argentina": "Argentine", "Australia": "Australian", "Brazil": "Brazilian",
    "Canada": "Canadian", "Chile": "Chilean", "China": "Chinese", "Colombia": "Colombian",
    "Cuba": "Cuban", "Egypt": "Egyptian", "El Salvador": "Salvadoran", "France": "French",
    "Germany": "German", "Guatemala": "Guatemalan", "Honduras": "Honduran", "India": "Indian",
    "Indonesia": "Indonesian", "Iran": "Iranian", "Iraq": "Iraqi", "Israel": "Israeli",
    "Italy": "Italian", "Japan": "Japanese", "Jordan": "Jordanian", "Kenya": "Kenyan",
    "Lebanon": "Lebanese", "Libya": "Libyan", "Mexico": "Mexican", "Nicaragua": "Nicaraguan",
    "Nigeria": "Nigerian", "North Korea": "North Korean", "Pakistan": "Pakistani",
    "Panama": "Panamanian", "Peru": "Peruvian", "Philippines": "Filipino", "Poland": "Polish",
    "Russia": "Russian", "Saudi Arabia": "Saudi", "Somalia": "Somali", "South Africa": "South African",
    "South Korea": "South Korean", "Spain": "Spanish", "Sudan": "Sudanese", "Syria": "Syrian",
    "Turkey": "Turkish", "Ukraine": "Ukrainian", "United Kingdom": "British", "United States": "American",
    "Venezuela": "Venezuelan", "Vietnam": "Vietnamese", "Yemen": "Yemeni", "Bolivia": "Bolivian",
    "Ecuador": "Ecuadorian", "Ethiopia": "Ethiopian", "Uganda": "Ugandan",
}

CITIES = """
Kabul|Kandahar|Herat|Jalalabad|Baghdad|Basra|Mosul|Erbil|Kirkuk|Fallujah|Ramadi|Tikrit|
Damascus|Aleppo|Homs|Idlib|Raqqa|Deir ez-Zor|Beirut|Tripoli|Benghazi|Misrata|Tehran|Isfahan|
Mashhad|Tabriz|Riyadh|Jeddah|Mecca|Sanaa|Aden|Hodeidah|Taiz|Cairo|Alexandria|Jerusalem|
Tel Aviv|Gaza|Ramallah|Hebron|Amman|Ankara|Istanbul|Doha|Dubai|Abu Dhabi|Muscat|Kuwait City|
Manama|Islamabad|Karachi|Lahore|Peshawar|Quetta|New Delhi|Delhi|Mumbai|Kolkata|Chennai|
Bangalore|Srinagar|Dhaka|Kathmandu|Colombo|Beijing|Shanghai|Hong Kong|Wuhan|Guangzhou|
Shenzhen|Taipei|Tokyo|Osaka|Seoul|Pyongyang|Manila|Jakarta|Bangkok|Hanoi|Ho Chi Minh City|
Kuala Lumpur|Yangon|Phnom Penh|Moscow|Saint Petersburg|Kyiv|Kiev|Kharkiv|Donetsk|Luhansk|
Mariupol|Odesa|Minsk|Warsaw|Berlin|Munich|Hamburg|Frankfurt|Paris|Marseille|Lyon|London|
Manchester|Birmingham|Edinburgh|Dublin|Belfast|Madrid|Barcelona|Lisbon|Rome|Milan|Naples|
Athens|Vienna|Brussels|Amsterdam|The Hague|Geneva|Zurich|Stockholm|Oslo|Copenhagen|Helsinki|
Budapest|Prague|Bucharest|Sofia|Belgrade|Zagreb|Sarajevo|Tbilisi|Yerevan|Baku|Nairobi|
Mogadishu|Addis Ababa|Khartoum|Juba|Kampala|Kigali|Kinshasa|Lagos|Abuja|Maiduguri|Accra|
Dakar|Bamako|Niamey|Ouagadougou|Johannesburg|Cape Town|Pretoria|Harare|Luanda|Algiers|Tunis|
Rabat|Casablanca|Washington|New York|Los Angeles|Chicago|Houston|Miami|San Francisco|Boston|
Seattle|Atlanta|Dallas|Philadelphia|Detroit|Denver|Ottawa|Toronto|Montreal|Vancouver|
Mexico City|Guadalajara|Monterrey|Tijuana|Havana|San Salvador|San Miguel|Santa Ana|
Usulutan|Chalatenango|Morazan|La Libertad|San Vicente|Cuscatlan|Soyapango|Guatemala City|
Quetzaltenango|Tegucigalpa|San Pedro Sula|Managua|Leon|Matagalpa|San Jose|Panama City|
Bogota|Medellin|Cali|Barranquilla|Cartagena|Bucaramanga|Cucuta|Quito|Guayaquil|Lima|Cuzco|
Ayacucho|Arequipa|Huancayo|Trujillo|La Paz|Santa Cruz|Cochabamba|Santiago|Valparaiso|
Buenos Aires|Cordoba|Rosario|Montevideo|Asuncion|Caracas|Maracaibo|Brasilia|Rio de Janeiro|
Sao Paulo|Sydney|Melbourne|Canberra|Auckland|Wellington
"""

PLACE_EXTRA = """
Middle East|Latin America|Central America|South America|North Africa|West Africa|East Africa|
Sahel|Horn of Africa|Persian Gulf|Gulf of Aden|Red Sea|Black Sea|Mediterranean|Balkans|
Caucasus|Crimea|Kashmir|Kurdistan|Iraqi Kurdistan|West Bank|Gaza Strip|Golan Heights|
Sinai|Darfur|Donbas|Anbar|Helmand|Waziristan|Punjab|Xinjiang|Tibet|Mindanao|Chiapas|
Upper Huallaga|Magdalena Medio|Antioquia|Caqueta|Putumayo|Meta|Guaviare|Cauca|Narino
"""

# Armed groups, forces and organisations.
GROUPS = {
    "FMLN": ["FMLN", "Farabundo Marti National Liberation Front", "Farabundo Marti Front"],
    "Shining Path": ["Shining Path", "Sendero Luminoso"],
    "MRTA": ["MRTA", "Tupac Amaru Revolutionary Movement"],
    "ELN": ["ELN", "National Liberation Army"],
    "FARC": ["FARC", "Revolutionary Armed Forces of Colombia"],
    "M-19": ["M-19", "April 19 Movement"],
    "EPL": ["EPL", "Popular Liberation Army"],
    "URNG": ["URNG", "Guatemalan National Revolutionary Unity"],
    "Contras": ["contras", "Nicaraguan Resistance"],
    "Sandinistas": ["Sandinistas", "Sandinista Front", "FSLN", "Sandinista People's Army"],
    "Medellin Cartel": ["Medellin Cartel", "Medellin drug cartel", "the Extraditables"],
    "Cali Cartel": ["Cali Cartel"],
    "Taliban": ["Taliban", "Afghan Taliban"],
    "al-Qaeda": ["al-Qaeda", "al-Qaida", "al Qaeda"],
    "ISIS": ["ISIS", "ISIL", "Islamic State", "Daesh"],
    "Hezbollah": ["Hezbollah", "Hizbollah"],
    "Hamas": ["Hamas"],
    "Islamic Jihad": ["Islamic Jihad"],
    "Boko Haram": ["Boko Haram"],
    "al-Shabaab": ["al-Shabaab", "al-Shabab", "Al Shabaab"],
    "Houthis": ["Houthis", "Houthi rebels", "Ansar Allah"],
    "PKK": ["PKK", "Kurdistan Workers' Party"],
    "SDF": ["SDF", "Syrian Democratic Forces"],
    "YPG": ["YPG"],
    "IRGC": ["IRGC", "Revolutionary Guards", "Islamic Revolutionary Guard Corps"],
    "Wagner": ["Wagner Group"],
    "NATO": ["NATO", "North Atlantic Treaty Organization"],
    "UN": ["UN", "U.N.", "United Nations", "UN Security Council", "Security Council"],
    "EU": ["EU", "European Union", "European Commission"],
    "African Union": ["African Union"],
    "Arab League": ["Arab League"],
    "OAS": ["OAS", "Organization of American States"],
    "Red Cross": ["Red Cross", "ICRC", "International Committee of the Red Cross"],
    "WHO": ["World Health Organization"],
    "IMF": ["IMF", "International Monetary Fund"],
    "World Bank": ["World Bank"],
    "Pentagon": ["Pentagon"],
    "Kremlin": ["Kremlin"],
    "White House": ["White House"],
    "CIA": ["CIA"],
    "FBI": ["FBI"],
    "DEA": ["DEA"],
    "Armed Forces": ["armed forces", "the army", "army", "the military", "military", "air force", "navy"],
    "Police": ["police", "police officers", "National Police", "riot police", "security forces"],
    "Troops": ["troops", "soldiers", "government troops", "army troops", "paratroopers", "marines"],
    "Guerrillas": ["guerrillas", "guerrilla", "rebels", "insurgents", "militants", "subversives",
                   "terrorists", "gunmen", "urban commandos", "death squad", "death squads"],
    "Government": ["government", "the government", "authorities", "officials", "ministry",
                   "Defense Ministry", "Foreign Ministry", "Interior Ministry"],
    "Forces": ["forces", "government forces", "militia", "militiamen", "fighters", "Islamists",
               "jihadists", "separatists", "the regime", "the opposition", "opposition forces"],
    "Justice": ["court", "the court", "judge", "prosecutors", "prosecutor", "investigators"],
    "Leaders": ["president", "the president", "prime minister", "minister", "spokesman", "governor",
                "mayor", "the mayor"],
    "Companies": ["the company", "company", "firm"],
    "Protesters": ["protesters", "demonstrators", "students", "workers", "strikers"],
    "Atlacatl Battalion": ["Atlacatl Battalion"],
    "Treasury Police": ["Treasury Police"],
    "National Guard": ["National Guard"],
    "ARENA": ["ARENA", "Nationalist Republican Alliance"],
    "Congress": ["Congress", "Senate", "parliament", "Legislative Assembly"],
    "Supreme Court": ["Supreme Court"],
}

WEAPONS = {
    "bomb": ["bomb", "bombs", "car bomb", "car bombs", "explosive device", "explosive devices",
             "IED", "IEDs", "roadside bomb", "roadside bombs", "truck bomb"],
    "dynamite": ["dynamite", "dynamite charge", "dynamite charges", "explosives", "explosive charge",
                 "explosive charges", "TNT"],
    "grenade": ["grenade", "grenades", "hand grenade", "hand grenades", "rocket-propelled grenade",
                "rocket-propelled grenades", "RPG", "RPGs"],
    "rifle": ["rifle", "rifles", "assault rifle", "assault rifles", "AK-47", "AK-47s", "M-16",
              "M-16 rifles", "FAL rifles", "carbine", "carbines"],
    "gun": ["gun", "guns", "machine gun", "machine guns", "machinegun", "machineguns",
            "submachine gun", "pistol", "pistols", "revolver", "firearms", "weapons", "arms"],
    "mortar": ["mortar", "mortars", "mortar rounds", "mortar shells", "mortar fire"],
    "rocket": ["rocket", "rockets", "rocket launcher", "rocket launchers", "LAW rockets"],
    "missile": ["missile", "missiles", "ballistic missile", "ballistic missiles", "cruise missile",
                "cruise missiles", "anti-tank missile", "surface-to-air missile", "Scud", "Scuds"],
    "artillery": ["artillery", "artillery fire", "artillery shells", "howitzer", "howitzers", "shells"],
    "airstrike": ["airstrike", "airstrikes", "air strike", "air strikes", "air raid", "air raids",
                  "bombing raid", "drone strike", "drone strikes"],
    "drone": ["drone", "drones", "unmanned aerial vehicle"],
    "aircraft": ["helicopter", "helicopters", "helicopter gunship", "fighter jet", "fighter jets",
                 "warplane", "warplanes", "A-37 aircraft", "aircraft"],
    "tank": ["tank", "tanks", "armored vehicle", "armored vehicles"],
    "mine": ["mine", "mines", "landmine", "landmines", "land mine", "land mines"],
    "knife": ["knife", "knives", "machete", "machetes"],
    "incendiary": ["incendiary bomb", "Molotov cocktail", "Molotov cocktails", "firebomb", "firebombs"],
    "chemical": ["chemical weapons", "nerve agent", "sarin", "chlorine gas", "tear gas"],
    "nuclear": ["nuclear weapon", "nuclear weapons", "nuclear bomb", "warhead", "warheads"],
}


def split_names(block: str) -> list[str]:
    return [n.strip() for n in block.replace("\n", "").split("|") if n.strip()]


@cache
def lemma_table() -> dict[str, list[str]]:
    """Lower-case lemmas of lemminflect's table, by part of speech ("verb", "noun", ...)."""
    import lemminflect
    path = Path(lemminflect.__file__).parent / "resources" / "infl_lu.csv.gz"
    out: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) < 2:
                continue
            lemma, pos = row[0], row[1]
            if (lemma, pos) in seen:
                continue
            seen.add((lemma, pos))
            out.setdefault(pos, []).append(lemma)
    return out


@cache
def english_words() -> frozenset[str]:
    """Every lemma in lemminflect's table, lower-cased (to keep made-up names from being words)."""
    return frozenset(w.lower() for words in lemma_table().values() for w in words)
