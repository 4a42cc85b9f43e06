#!/usr/bin/env python3
"""Write the conflict pack's event vocabulary (vocab_*.yaml) from WordNet 3.0.

    apt-get install -y wordnet-base                    # WordNet 3.0 in /usr/share/wordnet (only to rebuild)
    .venv/bin/python rules/conflict/tools/build_vocabulary.py [--wordnet DIR] [--out DIR]

How it works, in four steps that a reviewer can follow in this file:

1. SEEDS names, for each kind of word (AttackVerb, FightNoun, KillNoun...), the WordNet synsets
   it starts from ("attack.v.01", "battle.n.01"...) and how deep below each to go: its
   hyponyms (for verbs, troponyms: "strafe" is a way to "attack") to that depth. Instance
   hyponyms (named battles: "Battle of Hastings") are never taken.
2. DENY removes what a reviewer ruled out, each with its reason: a synset (and everything
   under it: "charge.n.01" under attack.n.01 is also a legal charge) or a lemma of one kind
   ("fire" as an attack noun). Capitalised lemmas (proper names: "Armageddon") are left out.
   ALLOW adds the few words news uses that WordNet 3.0 lacks ("firefight", "loss of life").
3. Every lemma gets its forms from lemminflect, the library rulex itself inflects `<word>`
   with (rulex/compiler.py `word_forms`): verbs base, -s, -ed, participle, -ing; nouns
   singular and plural. A multi-word lemma inflects its head: the first word of a verb
   ("gun down" -> "gunned down", "open fire" -> "opened fire"), the last word of a noun
   ("death toll" -> "death tolls") or the word before "of" ("loss of life" -> "losses of
   life"). A word lemminflect does not know takes WordNet's own exception list (verb.exc,
   noun.exc), else regular endings.
4. One YAML lexicon per kind, in the pack's format, entries sorted by id; each entry's id is
   the WordNet lemma and its attrs give the provenance: the synset (offset and name), the
   part of speech and the seed it came from. A form already taken by an entry that sorts
   before is not repeated (one alias, one entry: RX204).

The files are committed: nothing reads WordNet at run time. The output is deterministic: a
rebuild gives byte-identical files (tests/test_vocabulary.py checks this when wordnet-base is
installed).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lemminflect import getAllInflections, getAllInflectionsOOV

HERE = Path(__file__).resolve().parent
LEXICONS = HERE.parent / "lexicons"
WORDNET = Path("/usr/share/wordnet")
COMMAND = "python rules/conflict/tools/build_vocabulary.py"
SOURCE = "WordNet 3.0 (Princeton University) via Debian wordnet-base (/usr/share/wordnet)"
LICENCE = "WordNet 3.0 licence (Princeton University; BSD-style, see /usr/share/doc/wordnet-base/copyright)"

# ---- what to take ----------------------------------------------------------------------------

# kind -> (file, part of speech, description)
KINDS = {
    "AttackVerb": ("vocab_attack_verbs.yaml", "v", "Verbs naming a use of force (attack, bomb, shell, strafe, ambush, shoot)."),
    "AttackNoun": ("vocab_attack_nouns.yaml", "n", "Nouns naming an attack (assault, raid, ambush, bombing, atrocity, gunfire)."),
    "FightVerb": ("vocab_fight_verbs.yaml", "v", "Verbs of armed fighting between two sides (fight, battle, skirmish)."),
    "FightNoun": ("vocab_fight_nouns.yaml", "n", "Nouns of armed fighting (battle, fighting, clash, skirmish, siege, offensive)."),
    "KillVerb": ("vocab_kill_verbs.yaml", "v", "Verbs of killing (kill, murder, assassinate, execute, massacre)."),
    "KillNoun": ("vocab_kill_nouns.yaml", "n", "Nouns of killing (killing, murder, execution, casualty, death toll)."),
    "InjuryVerb": ("vocab_injury_verbs.yaml", "v", "Verbs of wounding (wound, injure, maim)."),
    "InjuryNoun": ("vocab_injury_nouns.yaml", "n", "Nouns of wounds and injuries (injury, wound, wounding)."),
}

# kind -> [(seed synset, depth of hyponyms taken below it)]
SEEDS = {
    "AttackVerb": [("attack.v.01", 2), ("assail.v.01", 1), ("bombard.v.02", 2), ("blast.v.03", 1),
                   ("strafe.v.01", 0), ("ambush.v.01", 0), ("shoot.v.01", 1), ("blast.v.07", 1), ("knife.v.01", 1)],
    "AttackNoun": [("attack.n.01", 2), ("attack.n.05", 1), ("assault.n.01", 1), ("bombing.n.01", 1),
                   ("bombing.n.02", 1), ("barrage.n.02", 0), ("foray.n.01", 1), ("ambush.n.01", 1),
                   ("atrocity.n.02", 1), ("genocide.n.01", 0), ("gunfire.n.01", 0), ("shooting.n.02", 1),
                   ("slaughter.n.03", 1)],
    "FightVerb": [("contend.v.06", 1), ("battle.v.01", 1), ("skirmish.v.01", 0)],
    "FightNoun": [("battle.n.01", 1), ("fight.n.02", 1), ("brush.n.06", 1), ("siege.n.01", 0),
                  ("offense.n.05", 1), ("combat.n.01", 1), ("gunfight.n.01", 0)],
    "KillVerb": [("kill.v.01", 2), ("murder.v.01", 1), ("assassinate.v.01", 0), ("execute.v.01", 1),
                 ("execute.v.02", 0), ("massacre.v.01", 0), ("shoot.v.02", 1), ("lynch.v.01", 0),
                 ("decapitate.v.01", 1)],
    "KillNoun": [("killing.n.01", 0), ("killing.n.02", 1), ("execution.n.01", 1), ("murder.n.01", 1),
                 ("assassination.n.02", 0), ("slaughter.n.03", 1), ("casualty.n.01", 0), ("death_toll.n.01", 0)],
    "InjuryVerb": [("injure.v.01", 1), ("maim.v.01", 1)],
    "InjuryNoun": [("injury.n.01", 1), ("wound.n.02", 1), ("wound.n.04", 0), ("injury.n.04", 0)],
}

# (kind, synset or lemma) -> why it is left out. A synset name (x.n.01) prunes the synset and all
# below it; a bare lemma drops that word from the kind, wherever it comes from.
DENY = {
    # AttackVerb
    ("AttackVerb", "gas"): "the noun dominates ('gases', 'gas prices')",
    ("AttackVerb", "gun"): "the noun dominates ('guns'); 'gun down' is kept",
    ("AttackVerb", "lurk"): "waiting, not force",
    ("AttackVerb", "scupper"): "figurative: 'scupper a deal'",
    ("AttackVerb", "retaliate.v.02"): "retaliation is often not force ('retaliated with tariffs')",
    ("AttackVerb", "sharpshoot.v.01"): "rare; lemminflect does not know its forms",
    ("AttackVerb", "beleaguer"): "figurative: 'the beleaguered president'",
    ("AttackVerb", "blitz.v.01"): "figurative: 'a media blitz'",
    ("AttackVerb", "submarine"): "mostly the noun; the verb is rare",
    ("AttackVerb", "pepper"): "figurative: 'peppered with questions'",
    ("AttackVerb", "hit"): "too general: hit records, hit the market",
    ("AttackVerb", "slice.v.04"): "sports: hitting a ball",
    ("AttackVerb", "chop.v.06"): "sports: hitting a ball",
    ("AttackVerb", "stroke.v.02"): "sports: hitting a ball",
    ("AttackVerb", "strike"): "labour strikes; the pack guards 'strike' in attack.rulex",
    ("AttackVerb", "counterstrike"): "rare; also a video game",
    ("AttackVerb", "surprise"): "the ordinary sense (astonish) dominates",
    ("AttackVerb", "storm"): "weather and 'stormed out' dominate; attack.rulex has 'stormed' with an object",
    ("AttackVerb", "occupy"): "mostly peaceful occupation (Occupy protests, occupy a seat)",
    ("AttackVerb", "infest.v.01"): "pests",
    ("AttackVerb", "surround"): "mostly peaceful: 'the hills surrounding the city'",
    ("AttackVerb", "hem_in"): "figurative",
    ("AttackVerb", "circumvent"): "the ordinary sense (evade a rule) dominates",
    ("AttackVerb", "blockade.v.04"): "a blockade is no use of force in the schema",
    ("AttackVerb", "ebb.v.02"): "fishing",
    ("AttackVerb", "bomb_out.v.01"): "a result (made homeless), not the attack",
    ("AttackVerb", "glide-bomb.v.01"): "rare",
    ("AttackVerb", "skip-bomb.v.01"): "rare",
    ("AttackVerb", "pattern-bomb.v.01"): "rare",
    ("AttackVerb", "hydrogen-bomb.v.01"): "rare",
    ("AttackVerb", "atomize"): "physics: atomise a liquid",
    ("AttackVerb", "atomise"): "physics: atomise a liquid",
    ("AttackVerb", "zap"): "informal: zap a file, zap with a remote",
    ("AttackVerb", "letter_bomb.v.01"): "rare as a verb",
    ("AttackVerb", "crump.v.02"): "rare",
    ("AttackVerb", "bust"): "police arrests, going bust",
    ("AttackVerb", "bait.v.03"): "animals",
    ("AttackVerb", "sic.v.01"): "animals, and [sic]",
    ("AttackVerb", "bulldog.v.01"): "rare",
    ("AttackVerb", "rush.v.02"): "hurrying dominates ('rushed to hospital')",
    ("AttackVerb", "blindside.v.02"): "figurative: 'blindsided by the decision'",
    ("AttackVerb", "savage.v.01"): "figurative: 'savaged by critics'",
    ("AttackVerb", "reassail.v.01"): "rare",
    ("AttackVerb", "jump.v.03"): "the ordinary sense (leap, rise) dominates",
    ("AttackVerb", "beset.v.02"): "figurative: 'beset by problems'",
    ("AttackVerb", "desecrate.v.01"): "damage to a place, not force against someone",
    ("AttackVerb", "molest.v.01"): "a sexual crime the schema does not count as an attack unless it is rape",
    ("AttackVerb", "set_on"): "rare as a verb",
    ("AttackVerb", "set"): "too general",
    ("AttackVerb", "ravish"): "literary",
    ("AttackVerb", "violate"): "mostly 'violate a law'",
    ("AttackVerb", "dishonor"): "figurative",
    ("AttackVerb", "dishonour"): "figurative",
    ("AttackVerb", "outrage"): "mostly the feeling",
    ("AttackVerb", "pip"): "'pipped at the post'",
    ("AttackVerb", "grass.v.01"): "hunting birds",
    ("AttackVerb", "kneecap.v.01"): "rare",
    ("AttackVerb", "overshoot.v.01"): "mostly figurative: 'overshoot a target'",
    ("AttackVerb", "pump.v.02"): "pumping dominates",
    ("AttackVerb", "blaze"): "fire and 'blaze a trail' dominate",
    ("AttackVerb", "blaze_away.v.02"): "rare",
    ("AttackVerb", "fire"): "'fired' as dismissed dominates; attack.rulex has 'fired at/on'",
    ("AttackVerb", "blast"): "mostly criticism ('blasted the decision') or noise",
    ("AttackVerb", "snipe"): "mostly criticism ('sniped at rivals')",
    ("AttackVerb", "charge.v.01"): "legal charges and prices dominate",
    ("AttackVerb", "poniard.v.01"): "rare",
    ("AttackVerb", "knife"): "the noun dominates ('a knife'); 'stab' covers the verb",
    ("AttackVerb", "harass.v.02"): "harassment, not force, in news",
    ("AttackVerb", "pin.v.04"): "chess",
    ("AttackVerb", "check.v.19"): "chess",
    ("AttackVerb", "fork.v.02"): "chess",
    ("AttackVerb", "tackle.v.03"): "sports",
    # AttackNoun
    ("AttackNoun", "ambush"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "assault"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "attack"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "bombardment"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "bombing"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "incursion"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "invasion"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "massacre"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "onslaught"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "raid"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "shelling"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "shooting"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "suicide_bombing"): "in attack.rulex's hand-written attack_noun list; here it only repeats that work",
    ("AttackNoun", "blitz"): "figurative: 'a media blitz'",
    ("AttackNoun", "onset"): "mostly 'the onset of winter'",
    ("AttackNoun", "onrush"): "mostly figurative",
    ("AttackNoun", "charge.n.01"): "a legal charge or a price far more often than a rush at the enemy",
    ("AttackNoun", "diversion.n.03"): "the ordinary sense (distraction, detour) dominates",
    ("AttackNoun", "penetration"): "market penetration, technical",
    ("AttackNoun", "interpenetration.n.01"): "technical",
    ("AttackNoun", "breakthrough.n.03"): "mostly a scientific or political breakthrough",
    ("AttackNoun", "infiltration.n.01"): "covert entry, not force",
    ("AttackNoun", "strike.n.02"): "labour strikes; the pack guards 'strike' in attack.rulex (strike_noun)",
    ("AttackNoun", "riposte.n.02"): "fencing; figurative reply",
    ("AttackNoun", "bombing_run.n.01"): "a flight path, not the attack",
    ("AttackNoun", "fire"): "fires and burning dominate; attack.rulex has 'gunfire', 'heavy fire'",
    ("AttackNoun", "firing"): "dismissal ('the firing of the director') dominates",
    ("AttackNoun", "cover.n.07"): "'cover' is too general",
    ("AttackNoun", "battery"): "electric batteries, assault and battery (a charge)",
    ("AttackNoun", "burst"): "too general",
    ("AttackNoun", "broadside.n.05"): "mostly figurative: 'a broadside against the government'",
    ("AttackNoun", "fratricide"): "also the murder of a sibling (KillNoun)",
    ("AttackNoun", "call_fire.n.01"): "military jargon, rare and ambiguous",
    ("AttackNoun", "observed_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "unobserved_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "registration_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "scheduled_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "searching_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "grazing_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "counterpreparation_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "preparation_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "distributed_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "destruction_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "radar_fire.n.01"): "military jargon, rare",
    ("AttackNoun", "coup_de_main"): "rare",
    ("AttackNoun", "trap"): "the ordinary sense dominates",
    ("AttackNoun", "lying_in_wait"): "a legal circumstance, not the attack",
    ("AttackNoun", "attempt"): "too general ('an attempt to reach a deal')",
    ("AttackNoun", "resisting_arrest.n.01"): "a charge, not an attack",
    ("AttackNoun", "storm"): "weather",
    ("AttackNoun", "maraud"): "rare",
    ("AttackNoun", "swoop.n.02"): "figurative and police arrests",
    ("AttackNoun", "inhumanity"): "a quality, not an event",
    ("AttackNoun", "brutality.n.02"): "mostly a quality or a generic charge ('police brutality')",
    ("AttackNoun", "outrage.n.02"): "the feeling ('public outrage') dominates",
    ("AttackNoun", "enormity.n.04"): "size ('the enormity of the task') dominates",
    ("AttackNoun", "race_murder"): "rare",
    ("AttackNoun", "racial_extermination"): "rare",
    ("AttackNoun", "wing_shooting.n.01"): "hunting",
    ("AttackNoun", "bloodletting"): "medicine; figurative (job cuts)",
    ("AttackNoun", "battue"): "hunting",
    ("AttackNoun", "butchery"): "the trade of a butcher",
    ("AttackNoun", "bloodshed"): "generic (no single event) more often than not",
    # FightVerb
    ("FightVerb", "contend"): "mostly 'argue' ('he contends that...')",
    ("FightVerb", "struggle"): "mostly effort ('struggled to pay')",
    ("FightVerb", "bear_down.v.04"): "effort, not fighting",
    ("FightVerb", "fistfight.v.01"): "rare as a verb",
    ("FightVerb", "join_battle.v.01"): "mostly figurative",
    ("FightVerb", "tug.v.07"): "figurative",
    ("FightVerb", "fight.v.02"): "opposing something ('fight the bill', 'fight off a cold')",
    ("FightVerb", "settle.v.19"): "revenge; 'settle' is too general",
    ("FightVerb", "fight_back.v.01"): "mostly figurative ('fought back tears')",
    ("FightVerb", "attack.v.01"): "an attack verb: AttackVerb",
    ("FightVerb", "war.v.01"): "war is not an attack in the schema",
    ("FightVerb", "duel.v.01"): "rare; figurative",
    ("FightVerb", "joust.v.01"): "sport; figurative",
    ("FightVerb", "chicken-fight.v.01"): "play",
    ("FightVerb", "tourney.v.01"): "sport",
    ("FightVerb", "feud.v.01"): "quarrel, not force",
    ("FightVerb", "bandy.v.02"): "mostly 'bandy words'",
    ("FightVerb", "fence.v.03"): "sport and fences",
    ("FightVerb", "box.v.03"): "sport and boxes",
    ("FightVerb", "spar.v.02"): "animals; figurative sparring",
    ("FightVerb", "wrestle.v.04"): "sport",
    ("FightVerb", "wrestle.v.01"): "figurative ('wrestled with his conscience')",
    ("FightVerb", "engage.v.07"): "too general ('engage', 'wage a campaign')",
    ("FightVerb", "scuffle.v.02"): "kept as a noun only; the verb is rare",
    # FightNoun
    ("FightNoun", "fisticuffs"): "plural only, rare",
    ("FightNoun", "battering"): "mostly weather or figurative ('took a battering')",
    ("FightNoun", "set-to.n.01"): "rare",
    ("FightNoun", "duel.n.01"): "mostly figurative (a televised duel)",
    ("FightNoun", "affray"): "a charge in British law more often than a fight",
    ("FightNoun", "military_blockade"): "a blockade is no use of force in the schema",
    ("FightNoun", "conflict"): "a state, not a use of force (adjudicated README)",
    ("FightNoun", "engagement"): "marriage, meetings and public engagement dominate",
    ("FightNoun", "naval_battle.n.01"): "kept through 'battle'; the compound is historic",
    ("FightNoun", "assault.n.01"): "an attack noun: AttackNoun",
    ("FightNoun", "scrap"): "scrap metal",
    ("FightNoun", "dogfight.n.04"): "dogs",
    ("FightNoun", "fencing.n.03"): "sport and fences",
    ("FightNoun", "in-fighting.n.01"): "political quarrels",
    ("FightNoun", "shock.n.02"): "the ordinary senses dominate",
    ("FightNoun", "hassle"): "the ordinary sense (bother) dominates",
    ("FightNoun", "dogfight"): "mostly figurative (a close contest)",
    ("FightNoun", "rough-and-tumble"): "figurative",
    ("FightNoun", "affaire_d'honneur"): "rare",
    ("FightNoun", "slugfest"): "mostly figurative (a hard contest)",
    ("FightNoun", "banging"): "noise",
    ("FightNoun", "beating.n.01"): "this synset is the 'outdoing' sense (a defeat in a game)",
    ("FightNoun", "disturbance"): "too general",
    ("FightNoun", "fray"): "figurative ('enter the fray')",
    ("FightNoun", "ruffle"): "rare",
    ("FightNoun", "free-for-all"): "figurative",
    ("FightNoun", "snickersnee"): "rare",
    ("FightNoun", "cut-and-thrust"): "figurative",
    ("FightNoun", "rumble"): "noise",
    ("FightNoun", "brush"): "a tool; 'a brush with death' is figurative",
    ("FightNoun", "encounter"): "mostly a meeting",
    ("FightNoun", "contretemps.n.01"): "a social mishap",
    ("FightNoun", "offense"): "a crime, or a team in sport",
    ("FightNoun", "offence"): "a crime, or a team in sport",
    ("FightNoun", "dirty_war.n.01"): "a war, not an attack in the schema",
    ("FightNoun", "rollback.n.01"): "economics: rollback of rules",
    ("FightNoun", "hostilities.n.01"): "a state of war, not a use of force in the schema",
    ("FightNoun", "trench_warfare.n.02"): "warfare is not an attack in the schema",
    ("FightNoun", "aggression.n.04"): "mostly abstract ('Russian aggression')",
    ("FightNoun", "beleaguering"): "rare",
    ("FightNoun", "besieging"): "rare as a noun",
    ("FightNoun", "gunplay"): "rare",
    # KillVerb
    ("KillVerb", "decimate"): "mostly figurative ('decimated the budget')",
    ("KillVerb", "stone"): "the noun dominates ('stones')",
    ("KillVerb", "martyr"): "the noun dominates ('martyrs'); kill.rulex has 'martyred'",
    ("KillVerb", "liquidate"): "companies and assets",
    ("KillVerb", "eliminate"): "mostly sport and policy ('eliminated from the cup')",
    ("KillVerb", "extinguish"): "fires",
    ("KillVerb", "eradicate"): "diseases and poverty",
    ("KillVerb", "wipe_out"): "mostly figurative",
    ("KillVerb", "carry_off"): "figurative ('carry off a prize')",
    ("KillVerb", "decimate.v.01"): "mostly figurative ('decimated the budget')",
    ("KillVerb", "drown.v.04"): "drowning at sea is no Kill in the schema",
    ("KillVerb", "erase.v.01"): "figurative",
    ("KillVerb", "butcher.v.01"): "animals",
    ("KillVerb", "poison.v.04"): "a substance as subject; 'poison' stays through poison.v.02",
    ("KillVerb", "commit_suicide.v.01"): "suicide is no Kill in the schema",
    ("KillVerb", "dispatch"): "sending ('dispatched troops') dominates",
    ("KillVerb", "zap.v.02"): "informal",
    ("KillVerb", "sacrifice.v.02"): "figurative",
    ("KillVerb", "take_off.v.08"): "take-off of planes and prices",
    ("KillVerb", "tomahawk.v.02"): "rare; a cruise missile",
    ("KillVerb", "destroy.v.04"): "animals, and 'destroy' is too general",
    ("KillVerb", "overlie.v.02"): "animals",
    ("KillVerb", "brain.v.02"): "rare",
    ("KillVerb", "put_away.v.05"): "animals, and figurative",
    ("KillVerb", "neutralize"): "mostly 'neutralize a threat'",
    ("KillVerb", "neutralise"): "mostly 'neutralise a threat'",
    ("KillVerb", "waste"): "the ordinary sense dominates",
    ("KillVerb", "knock_off"): "stopping work, fakes",
    ("KillVerb", "do_in"): "informal",
    ("KillVerb", "smother.v.02"): "mostly figurative ('smothered by regulation')",
    ("KillVerb", "throttle"): "engines",
    ("KillVerb", "scrag"): "rare",
    ("KillVerb", "stake"): "stakes and bets",
    ("KillVerb", "burke.v.01"): "rare",
    ("KillVerb", "crucify.v.01"): "religion and figurative criticism",
    ("KillVerb", "burn.v.08"): "'burn' is too general",
    ("KillVerb", "hang.v.03"): "'hang' and 'hung' are too general; kill.rulex has 'hanged'",
    ("KillVerb", "draw.v.23"): "'draw' is too general",
    ("KillVerb", "shoot"): "a shooting is an Attack; the Kill is 'dead', 'fatally' (adjudicated README)",
    ("KillVerb", "pip"): "'pipped at the post'",
    ("KillVerb", "flight.v.01"): "hunting birds",
    ("KillVerb", "electrocute.v.02"): "mostly accidents and capital punishment",
    ("KillVerb", "hit"): "too general",
    ("KillVerb", "off"): "a particle, not a verb in news",
    ("KillVerb", "remove"): "too general",
    ("KillVerb", "polish_off"): "eating and finishing",
    ("KillVerb", "bump_off"): "informal; rare",
    ("KillVerb", "chine.v.01"): "butchery",
    ("KillVerb", "guillotine.v.01"): "figurative (cutting debate)",
    ("KillVerb", "decollate"): "rare",
    ("KillVerb", "garrote.v.01"): "rare",
    ("KillVerb", "vaporize"): "physics",
    ("KillVerb", "saber.v.02"): "rare",
    ("KillVerb", "dismember.v.01"): "mostly figurative (dismember a company) or after death",
    # KillNoun
    ("KillNoun", "kill"): "'the kill' of hunting, 'kill switch'",
    ("KillNoun", "putting_to_death"): "rare",
    ("KillNoun", "deathblow.n.01"): "figurative",
    ("KillNoun", "death.n.08"): "'death' names natural deaths far more often; kill.rulex guards it",
    ("KillNoun", "euthanasia.n.01"): "a policy debate, no event",
    ("KillNoun", "dispatch.n.04"): "sending, reports",
    ("KillNoun", "fell.n.03"): "trees",
    ("KillNoun", "suicide.n.01"): "suicide is no Kill in the schema",
    ("KillNoun", "slaughter.n.01"): "animals",
    ("KillNoun", "poisoning.n.02"): "food poisoning dominates",
    ("KillNoun", "suffocation.n.01"): "a cause of death, often accidental",
    ("KillNoun", "sacrifice.n.04"): "figurative sacrifice dominates",
    ("KillNoun", "electrocution.n.02"): "mostly accidents",
    ("KillNoun", "genocide.n.01"): "an Attack in the adjudicated conventions: AttackNoun",
    ("KillNoun", "executing"): "rare as a noun",
    ("KillNoun", "capital_punishment"): "a penalty, not an event",
    ("KillNoun", "death_penalty"): "a penalty, not an event",
    ("KillNoun", "burning.n.05"): "'burning' is too general",
    ("KillNoun", "electrocution.n.01"): "mostly accidents",
    ("KillNoun", "crucifixion.n.01"): "religion",
    ("KillNoun", "gore"): "blood, and a surname",
    ("KillNoun", "elimination.n.05"): "economics, sport",
    ("KillNoun", "hit.n.06"): "'hit' is too general",
    ("KillNoun", "shoot-down.n.01"): "aircraft shot down",
    ("KillNoun", "thuggee.n.01"): "historic",
    ("KillNoun", "butchery"): "the trade of a butcher",
    ("KillNoun", "bloodletting"): "medicine; figurative (job cuts)",
    ("KillNoun", "battue"): "hunting",
    ("KillNoun", "bloodshed"): "generic (no single event) more often than not",
    ("KillNoun", "hanging"): "decoration and art ('wall hangings') dominate; kill.rulex has 'hanged'",
    ("KillNoun", "fratricide"): "also friendly fire (AttackNoun leaves it out too)",
    # InjuryVerb
    ("InjuryVerb", "calk.v.03"): "rare",
    ("InjuryVerb", "torture.v.02"): "torture is not a wounding event in the schema",
    ("InjuryVerb", "pull.v.08"): "'pull' is too general",
    ("InjuryVerb", "traumatize.v.01"): "mostly psychological",
    ("InjuryVerb", "twist.v.10"): "'twist' is too general",
    ("InjuryVerb", "subluxate.v.01"): "medical jargon",
    ("InjuryVerb", "disable.v.02"): "machines and systems dominate",
    ("InjuryVerb", "harm.v.01"): "too general ('harm the economy')",
    ("InjuryVerb", "run_down.v.03"): "traffic; figurative (run down a list)",
    ("InjuryVerb", "fracture.v.06"): "'break' is too general",
    ("InjuryVerb", "shoot.v.01"): "a shooting is an Attack: AttackVerb",
    ("InjuryVerb", "knife.v.01"): "a stabbing is an Attack: AttackVerb",
    ("InjuryVerb", "skin.v.02"): "'skin' and 'scrape' are too general",
    ("InjuryVerb", "bruise.v.01"): "mostly figurative ('bruising defeat')",
    ("InjuryVerb", "graze.v.02"): "cattle",
    ("InjuryVerb", "mar"): "figurative ('marred by')",
    ("InjuryVerb", "lame"): "the adjective dominates",
    ("InjuryVerb", "trample.v.02"): "mostly figurative ('trample on rights')",
    ("InjuryVerb", "concuss.v.02"): "sport injuries",
    # InjuryNoun
    ("InjuryNoun", "hurt"): "feelings",
    ("InjuryNoun", "harm"): "too general",
    ("InjuryNoun", "trauma"): "mostly psychological",
    ("InjuryNoun", "accidental_injury"): "rare",
    ("InjuryNoun", "brain_damage.n.01"): "a condition, not a wounding",
    ("InjuryNoun", "birth_trauma.n.01"): "medicine",
    ("InjuryNoun", "bleeding.n.01"): "medicine",
    ("InjuryNoun", "bruise.n.01"): "minor, and sport",
    ("InjuryNoun", "bump.n.01"): "too general",
    ("InjuryNoun", "burn.n.03"): "'burn' is too general",
    ("InjuryNoun", "dislocation.n.03"): "economics ('dislocation')",
    ("InjuryNoun", "electric_shock.n.02"): "accidents",
    ("InjuryNoun", "fracture.n.01"): "'break' is too general",
    ("InjuryNoun", "frostbite.n.01"): "weather",
    ("InjuryNoun", "intravasation.n.01"): "medicine",
    ("InjuryNoun", "pinch.n.02"): "too general",
    ("InjuryNoun", "rupture.n.01"): "mostly figurative",
    ("InjuryNoun", "sting.n.03"): "insects, police stings",
    ("InjuryNoun", "strain.n.07"): "too general",
    ("InjuryNoun", "whiplash.n.01"): "traffic",
    ("InjuryNoun", "wale.n.01"): "rare",
    ("InjuryNoun", "wrench.n.01"): "a tool",
    ("InjuryNoun", "wound.n.01"): "kept through wound.n.02; its hyponyms (cut, scratch, bite) are too general",
    ("InjuryNoun", "blighty_wound.n.01"): "historic",
}

# Words news uses that WordNet 3.0 lacks, each with its reason: (kind, lemma, nearest synset or "-", reason).
ALLOW = [
    ("FightNoun", "firefight", "gunfight.n.01", "not in WordNet 3.0; a gunfight between armed forces"),
    ("FightNoun", "gun_battle", "gunfight.n.01", "not in WordNet 3.0; a gunfight between armed forces"),
    ("FightNoun", "gunbattle", "gunfight.n.01", "not in WordNet 3.0; the one-word spelling of gun battle"),
    ("FightVerb", "clash", "-", "WordNet 3.0 has no fighting sense of the verb (collide, disagree): 'clashed with police'"),
    ("KillNoun", "loss_of_life", "-", "not in WordNet 3.0; 'heavy loss of life'"),
    ("InjuryVerb", "hurt", "-", "WordNet's senses are feelings and damage; news says 'two people were hurt'"),
]


# ---- reading WordNet (wndb(5)) -----------------------------------------------------------------

@dataclass
class Synset:
    offset: str
    pos: str
    lemmas: list[str]
    pointers: list[tuple[str, str, str]]
    gloss: str
    name: str = ""
    children: list["Synset"] = field(default_factory=list)


class WordNet:
    """The noun and verb synsets of a WordNet database directory, with NLTK-style names."""

    def __init__(self, root: Path):
        self.root = root
        self.synsets: dict[tuple[str, str], Synset] = {}
        self.index: dict[tuple[str, str], list[str]] = {}
        self.exceptions: dict[tuple[str, str], list[str]] = {}
        for pos, name in (("n", "noun"), ("v", "verb")):
            for line in self._lines(f"data.{name}"):
                synset = self._parse(line, pos)
                self.synsets[(synset.offset, pos)] = synset
            for line in self._lines(f"index.{name}"):
                fields = line.split()
                pointer_count = int(fields[3])
                self.index[(fields[0], pos)] = fields[6 + pointer_count:]
            for line in self._lines(f"{name}.exc"):
                inflected, *bases = line.split()
                for base in bases:
                    self.exceptions.setdefault((base, pos), []).append(inflected)
        for synset in self.synsets.values():
            first = synset.lemmas[0].lower()
            synset.name = f"{first}.{synset.pos}.{self.index[(first, synset.pos)].index(synset.offset) + 1:02d}"

    def _lines(self, name: str):
        with open(self.root / name, encoding="utf-8") as handle:
            for line in handle:
                if not line.startswith("  "):  # the licence header
                    yield line.rstrip("\n")

    @staticmethod
    def _parse(line: str, pos: str) -> Synset:
        head, _, gloss = line.partition(" | ")
        fields = head.split()
        count = int(fields[3], 16)
        lemmas = [re.sub(r"\([a-z]+\)$", "", fields[4 + 2 * i]) for i in range(count)]
        at = 4 + 2 * count
        pointers = []
        for _ in range(int(fields[at])):
            pointers.append((fields[at + 1], fields[at + 2], fields[at + 3]))
            at += 4
        return Synset(fields[0], pos, lemmas, pointers, gloss.strip())

    def synset(self, name: str) -> Synset:
        lemma, pos, number = name.rsplit(".", 2)
        return self.synsets[(self.index[(lemma, pos)][int(number) - 1], pos)]

    def hyponyms(self, synset: Synset) -> list[Synset]:
        """Hyponyms (troponyms for verbs); instance hyponyms (named events) are not taken."""
        return [self.synsets[(offset, pos)] for symbol, offset, pos in synset.pointers if symbol == "~"]


# ---- building --------------------------------------------------------------------------------

def collect(wn: WordNet, kind: str) -> dict[str, dict]:
    """lemma -> attrs, for one kind: the seeds' lemmas and hyponyms, less DENY, plus ALLOW."""
    pos = KINDS[kind][1]
    found: dict[str, dict] = {}
    for seed_name, depth in SEEDS[kind]:
        seed = wn.synset(seed_name)
        queue = [(seed, 0)]
        while queue:  # breadth first, in WordNet's order: the first synset to give a lemma is its source
            synset, level = queue.pop(0)
            if (kind, synset.name) in DENY:
                continue
            for lemma in synset.lemmas:
                if lemma[0].isupper() or (kind, lemma) in DENY or lemma in found:
                    continue
                found[lemma] = {"synset": f"{synset.name} ({synset.offset}-{pos})", "pos": "verb" if pos == "v" else "noun",
                                "from": seed.name}
            if level < depth:
                queue += [(child, level + 1) for child in wn.hyponyms(synset)]
    for allow_kind, lemma, near, reason in ALLOW:
        if allow_kind == kind and lemma not in found:
            synset = f"{wn.synset(near).name} ({wn.synset(near).offset}-{pos})" if near != "-" else "-"
            found[lemma] = {"synset": synset, "pos": "verb" if pos == "v" else "noun", "from": f"allow: {reason}"}
    return found


def inflect(word: str, pos: str, wn: WordNet) -> list[str]:
    """The forms of one word: verbs VB, VBZ, VBD, VBN, VBG; nouns NN, NNS."""
    upos, tags = ("VERB", ("VB", "VBZ", "VBD", "VBN", "VBG")) if pos == "v" else ("NOUN", ("NN", "NNS"))
    table = getAllInflections(word, upos=upos)
    if not table and wn.exceptions.get((word, pos)):  # WordNet's own irregular forms
        return [word] + sorted(wn.exceptions[(word, pos)])
    if not table:
        table = getAllInflectionsOOV(word, upos=upos)
    forms = [word]
    for tag in tags:
        forms += [f for f in table.get(tag, ()) if f not in forms]
    return forms


def forms(lemma: str, pos: str, wn: WordNet) -> list[str]:
    """The forms of a lemma; a multi-word lemma inflects its head (see the module docstring)."""
    words = lemma.split("_")
    if len(words) == 1:
        parts = lemma.split("-")  # "dive-bomb": the last part inflects
        if len(parts) > 1:
            return [f"{'-'.join(parts[:-1])}-{f}" for f in inflect(parts[-1], pos, wn)]
        return inflect(lemma, pos, wn)
    if pos == "v":
        head = len(words) - 1 if words[0] in VERB_MODIFIERS else 0
    else:
        head = words.index("of") - 1 if "of" in words[1:] else len(words) - 1
    return [" ".join(words[:head] + [f] + words[head + 1:]) for f in inflect(words[head], pos, wn)]


# Forms never taken, whatever lemma gives them: (form, reason).
FORM_DENY = {
    "slew": "past tense of slay, but 'a slew of' in news",
}

# Words that stand before the verb of a compound verb ("carpet bomb"): the verb is the last word.
VERB_MODIFIERS = {"carpet", "dive", "machine", "atom"}


def build(wn: WordNet) -> dict[str, list[dict]]:
    out = {}
    for kind, (_, pos, _) in KINDS.items():
        taken: set[str] = set()
        entries = []
        for lemma, attrs in sorted(collect(wn, kind).items()):
            aliases = []
            for form in forms(lemma, pos, wn):
                key = " ".join(form.lower().replace("-", " ").split())
                if key not in taken and key not in FORM_DENY:
                    taken.add(key)
                    aliases.append(form)
            if aliases:
                entries.append({"id": lemma, "aliases": aliases, "attrs": attrs})
        out[kind] = entries
    return out


def quote(text: str) -> str:
    """A YAML scalar: plain when safe, else double-quoted."""
    if re.fullmatch(r"[a-z][a-z0-9 '-]*", text) and text not in ("yes", "no", "on", "off", "true", "false", "null", "y", "n"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(kind: str, entries: list[dict]) -> str:
    file, pos, description = KINDS[kind]
    seeds = ", ".join(f"{name} (depth {depth})" for name, depth in SEEDS[kind])
    lines = [
        "# GENERATED by rules/conflict/tools/build_vocabulary.py from WordNet 3.0: edit the seeds and the",
        "# allow/deny lists in that script (each with its reason) and rebuild, do not edit this file.",
        f"# Rebuild: apt-get install -y wordnet-base && {COMMAND}",
        f"# Seeds: {seeds}",
        f"type: {kind}",
        f"description: {quote(description)}",
        f"source: {quote(SOURCE)}",
        f"licence: {quote(LICENCE)}",
        "entries:",
    ]
    for e in entries:
        aliases = ", ".join(quote(a) for a in e["aliases"])
        attrs = ", ".join(f"{k}: {quote(v)}" for k, v in e["attrs"].items())
        lines.append(f"  - {{id: {e['id']}, aliases: [{aliases}], attrs: {{{attrs}}}}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", type=Path, default=WORDNET, help="WordNet 3.0 database directory (default %(default)s)")
    parser.add_argument("--out", type=Path, default=LEXICONS, help="where to write vocab_*.yaml (default: the pack's lexicons)")
    args = parser.parse_args(argv)
    if not (args.wordnet / "data.noun").exists():
        print(f"no WordNet database in {args.wordnet}: apt-get install -y wordnet-base", file=sys.stderr)
        return 2
    wn = WordNet(args.wordnet)
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, entries in build(wn).items():
        path = args.out / KINDS[kind][0]
        path.write_text(render(kind, entries), encoding="utf-8")
        print(f"{path.name}: {kind}, {len(entries)} entries, {sum(len(e['aliases']) for e in entries)} aliases",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
