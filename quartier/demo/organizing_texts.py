"""Words for the generated local groups and events, in French and English (data only, no logic).

Names and titles are templates filled with a neighbourhood (`{area}`) and, for group names, a cause
(`{cause}`); descriptions are Markdown texts used as they are, so that each is rendered to HTML once.
"""

from __future__ import annotations

# Neighbourhoods of the bundled places, keyed like `generator.place_key` ("CA:H2T", "FR:75011").
# A group or event at a place takes one of these as its area; places not listed use their town.
NEIGHBOURHOODS: dict[str, tuple[str, ...]] = {
    "CA:H2X": ("Quartier latin", "Milton-Parc", "Quartier des spectacles"),
    "CA:H2T": ("Mile End", "Plateau"),
    "CA:H2J": ("Plateau", "Plateau-Mont-Royal"),
    "CA:H2L": ("Centre-Sud", "Village"),
    "CA:H2R": ("Villeray", "Parc-Extension"),
    "CA:H2S": ("Petite-Patrie", "Rosemont"),
    "CA:H2V": ("Outremont", "Mile End"),
    "CA:H3A": ("Centre-ville", "Quartier Concordia"),
    "CA:H3B": ("Centre-ville", "Vieux-Montréal"),
    "CA:H3H": ("Shaughnessy Village", "Centre-ville"),
    "CA:H4A": ("Notre-Dame-de-Grâce", "NDG"),
    "CA:H1V": ("Hochelaga", "Maisonneuve"),
    "CA:H8N": ("LaSalle", "Lachine"),
    "CA:H7N": ("Pont-Viau", "Laval-des-Rapides"),
    "CA:G1R": ("Vieux-Québec", "Saint-Jean-Baptiste"),
    "CA:G1K": ("Saint-Roch", "Saint-Sauveur"),
    "CA:G1S": ("Montcalm", "Sillery"),
    "CA:J8X": ("Hull", "Vieux-Hull"),
    "CA:J1H": ("Sherbrooke", "Centre-ville de Sherbrooke"),
    "CA:G9A": ("Trois-Rivières", "Centre-ville de Trois-Rivières"),
    "CA:K1P": ("Centretown", "Downtown Ottawa"),
    "CA:K1N": ("ByWard Market", "Sandy Hill", "Lowertown"),
    "CA:M5V": ("King West", "Liberty Village", "CityPlace"),
    "CA:M4Y": ("Church-Wellesley", "Cabbagetown"),
    "CA:M6G": ("Christie Pits", "Seaton Village", "Koreatown"),
    "CA:V6B": ("Gastown", "Downtown Vancouver", "Chinatown"),
    "CA:E1C": ("Moncton", "Downtown Moncton"),
    "CA:R3C": ("Exchange District", "Downtown Winnipeg"),
    "FR:75001": ("Halles", "Palais-Royal"),
    "FR:75002": ("Sentier", "Bonne-Nouvelle"),
    "FR:75003": ("Haut-Marais", "Arts-et-Métiers"),
    "FR:75004": ("Marais", "Île Saint-Louis"),
    "FR:75005": ("Quartier latin", "Jardin des Plantes"),
    "FR:75006": ("Saint-Germain-des-Prés", "Odéon"),
    "FR:75007": ("Gros-Caillou", "Invalides"),
    "FR:75008": ("Europe", "Madeleine"),
    "FR:75009": ("Pigalle", "Faubourg-Montmartre"),
    "FR:75010": ("Canal Saint-Martin", "Faubourg-Saint-Denis"),
    "FR:75011": ("Oberkampf", "Roquette", "11e arrondissement"),
    "FR:75012": ("Bercy", "Bastille"),
    "FR:75013": ("Butte-aux-Cailles", "Paris Rive Gauche"),
    "FR:75014": ("Montparnasse", "Plaisance"),
    "FR:75015": ("Vaugirard", "Grenelle"),
    "FR:75016": ("Passy", "Auteuil"),
    "FR:75017": ("Batignolles", "Épinettes"),
    "FR:75018": ("Montmartre", "Goutte-d'Or"),
    "FR:75019": ("Belleville", "Buttes-Chaumont"),
    "FR:75020": ("Ménilmontant", "Charonne"),
    "FR:69001": ("Pentes de la Croix-Rousse", "Terreaux"),
    "FR:69003": ("Part-Dieu", "Montchat"),
    "FR:69007": ("Guillotière", "Gerland"),
    "FR:13001": ("Belsunce", "Noailles"),
    "FR:59000": ("Vieux-Lille", "Wazemmes"),
    "FR:33000": ("Chartrons", "Saint-Michel"),
    "FR:31000": ("Capitole", "Saint-Cyprien"),
    "FR:44000": ("Bouffay", "Île de Nantes"),
    "FR:67000": ("Krutenau", "Neudorf"),
    "FR:35000": ("Centre-ville de Rennes", "Thabor"),
    "FR:34000": ("Écusson", "Beaux-Arts"),
    "FR:38000": ("Championnet", "Île Verte"),
    "FR:06000": ("Vieux-Nice", "Libération"),
    "US:10001": ("Chelsea", "Hudson Yards"),
    "US:02139": ("Central Square", "Cambridgeport"),
    "US:60614": ("Lincoln Park", "Old Town"),
    "US:94110": ("Mission District", "Bernal Heights"),
    "US:98103": ("Fremont", "Wallingford"),
    "US:20001": ("Shaw", "Columbia Heights"),
}

# The French form of the neighbourhoods that take an article ("le Plateau", "les Batignolles"); a
# template's "de {area}" becomes "du Plateau", "des Batignolles", "d'Outremont".
FRENCH_FORMS: dict[str, str] = {
    "Quartier latin": "le Quartier latin", "Quartier des spectacles": "le Quartier des spectacles",
    "Plateau": "le Plateau", "Plateau-Mont-Royal": "le Plateau-Mont-Royal", "Mile End": "le Mile End",
    "Centre-Sud": "le Centre-Sud", "Village": "le Village", "Petite-Patrie": "la Petite-Patrie",
    "Centre-ville": "le centre-ville", "Quartier Concordia": "le quartier Concordia",
    "Vieux-Montréal": "le Vieux-Montréal", "Vieux-Québec": "le Vieux-Québec", "Vieux-Hull": "le Vieux-Hull",
    "Centre-ville de Sherbrooke": "le centre-ville de Sherbrooke",
    "Centre-ville de Trois-Rivières": "le centre-ville de Trois-Rivières",
    "Halles": "les Halles", "Palais-Royal": "le Palais-Royal", "Sentier": "le Sentier",
    "Haut-Marais": "le Haut-Marais", "Marais": "le Marais", "Île Saint-Louis": "l'île Saint-Louis",
    "Jardin des Plantes": "le Jardin des Plantes",
    "Odéon": "l'Odéon", "Gros-Caillou": "le Gros-Caillou", "Invalides": "les Invalides", "Europe": "l'Europe",
    "Madeleine": "la Madeleine", "Faubourg-Montmartre": "le Faubourg-Montmartre",
    "Canal Saint-Martin": "le canal Saint-Martin", "Faubourg-Saint-Denis": "le Faubourg-Saint-Denis",
    "11e arrondissement": "le 11e arrondissement", "Roquette": "la Roquette", "Bastille": "la Bastille",
    "Butte-aux-Cailles": "la Butte-aux-Cailles", "Batignolles": "les Batignolles", "Épinettes": "les Épinettes",
    "Goutte-d'Or": "la Goutte-d'Or", "Buttes-Chaumont": "les Buttes-Chaumont",
    "Pentes de la Croix-Rousse": "les pentes de la Croix-Rousse", "Terreaux": "les Terreaux",
    "Part-Dieu": "la Part-Dieu", "Guillotière": "la Guillotière", "Vieux-Lille": "le Vieux-Lille",
    "Chartrons": "les Chartrons", "Capitole": "le Capitole", "Bouffay": "le Bouffay",
    "Île de Nantes": "l'île de Nantes", "Krutenau": "la Krutenau", "Thabor": "le Thabor",
    "Écusson": "l'Écusson", "Beaux-Arts": "les Beaux-Arts", "Île Verte": "l'île Verte",
    "Vieux-Nice": "le Vieux-Nice", "Libération": "la Libération", "Centre-ville de Rennes": "le centre-ville de Rennes",
    "Downtown Ottawa": "le centre-ville d'Ottawa", "Downtown Vancouver": "le centre-ville de Vancouver",
    "Downtown Moncton": "le centre-ville de Moncton", "Downtown Winnipeg": "le centre-ville de Winnipeg",
    "ByWard Market": "le marché By", "Exchange District": "le quartier de la Bourse",
}  # fmt: skip

# Cause slug (as in `generator.CAUSES`) → (English words for a name, French "pour …" phrase).
GROUP_CAUSES: dict[str, tuple[str, str]] = {
    "climate": ("Climate", "pour le climat"),
    "housing": ("Housing", "pour le logement"),
    "public-transit": ("Transit", "pour le transport en commun"),
    "health-care": ("Health Care", "pour la santé publique"),
    "education": ("Public Schools", "pour l'école publique"),
    "democracy": ("Democracy", "pour la démocratie"),
    "workers-rights": ("Workers' Rights", "pour les droits des travailleurs"),
    "local-food": ("Local Food", "pour l'alimentation locale"),
    "affordable-childcare": ("Affordable Childcare", "pour des garderies abordables"),
    "reconciliation": ("Reconciliation", "pour la réconciliation"),
}

GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "{area} for {cause}",
        "{area} Volunteers",
        "{area} Neighbours for {cause}",
        "Friends of {area}",
        "{area} Action Team",
        "{area} Door-Knockers",
        "{cause} Now: {area}",
        "{area} Tenants and Neighbours",
        "Students for {cause} ({area})",
        "{area} Seniors for {cause}",
        "{area} Parents for {cause}",
        "{area} Campaign Team",
    ),
    "fr": (
        "Bénévoles de {area}",
        "{area} {cause}",
        "Citoyens de {area} {cause}",
        "Collectif de {area}",
        "Équipe de campagne de {area}",
        "Les voisins de {area}",
        "Comité de {area} {cause}",
        "Militants de {area}",
        "Jeunes de {area} {cause}",
        "Aînés de {area} {cause}",
        "Parents de {area} {cause}",
        "{area} en action",
    ),
}

GROUP_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "We are neighbours who meet once a month to plan canvasses, phone banks and the odd potluck.\n\n"
        "**New people are always welcome**: come to a meeting, no experience needed.",
        "A small, friendly team covering our part of town. We knock on doors on Saturday mornings and "
        "finish with coffee.",
        "We organise around the issues people raise at the door:\n\n- rents and repairs\n- buses that "
        "actually come\n- a family doctor for everyone",
        "Started by three friends after a town hall, now a few dozen regulars. Bring a friend, we'll "
        "bring the clipboards.",
        "Our group meets every second Tuesday at the library. Between meetings we keep in touch by "
        "email, and we always need drivers on election day.",
        "Students, retirees, parents, shift workers: we fit organising around real lives. Pick the "
        "tasks that suit *your* week.",
    ),
    "fr": (
        "Nous sommes des voisines et des voisins qui se réunissent une fois par mois pour préparer le "
        "porte-à-porte, les appels et, parfois, un repas-partage.\n\n**Les nouvelles personnes sont "
        "toujours bienvenues** : aucune expérience nécessaire.",
        "Une petite équipe sympathique pour notre coin de ville. On fait du porte-à-porte le samedi "
        "matin, et on termine au café.",
        "Nous nous organisons autour de ce que les gens nous disent aux portes :\n\n- les loyers et "
        "les réparations\n- des autobus qui passent vraiment\n- un médecin de famille pour tout le monde",
        "Lancé par trois amies après une assemblée publique, le groupe compte maintenant quelques "
        "dizaines d'habitués. Amenez quelqu'un, on fournit les planchettes.",
        "Le groupe se réunit un mardi sur deux à la bibliothèque. Entre les réunions, on se parle par "
        "courriel, et on a toujours besoin de chauffeurs le jour du vote.",
        "Étudiants, retraités, parents, travailleurs de nuit : on organise en fonction de la vraie vie. "
        "Choisissez les tâches qui conviennent à *votre* semaine.",
    ),
}

EVENT_TITLES: dict[str, dict[str, tuple[str, ...]]] = {
    "canvass": {
        "en": ("Door knocking in {area}", "Neighbourhood canvass: {area}", "Canvass launch: {area}"),
        "fr": ("Porte-à-porte : {area}", "Porte-à-porte de quartier — {area}", "Grande tournée de porte-à-porte — {area}"),
    },
    "phone_bank": {
        "en": ("Phone bank: {area}", "Evening phone bank ({area})", "Call our supporters: {area}"),
        "fr": ("Soirée d'appels — {area}", "Appels aux sympathisants : {area}", "Banque d'appels — {area}"),
    },
    "house_party": {
        "en": ("House party in {area}", "Backyard get-together: {area}", "Meet your neighbours: {area}"),
        "fr": ("Soirée chez l'habitant — {area}", "Apéro militant : {area}", "Rencontre de voisinage — {area}"),
    },
    "rally": {
        "en": ("Rally for a fairer city: {area}", "{area} rally", "March and rally: {area}"),
        "fr": ("Rassemblement — {area}", "Grand rassemblement : {area}", "Marche et rassemblement — {area}"),
    },
    "meeting": {
        "en": ("Monthly meeting: {area}", "Volunteer meeting ({area})", "Planning meeting: {area}"),
        "fr": ("Réunion mensuelle — {area}", "Réunion des bénévoles : {area}", "Réunion de planification — {area}"),
    },
    "fundraiser": {
        "en": ("Fundraising dinner: {area}", "Pay-what-you-can supper ({area})", "Trivia night fundraiser: {area}"),
        "fr": ("Souper-bénéfice — {area}", "Repas-bénéfice : {area}", "Soirée quiz-bénéfice — {area}"),
    },
    "voter_registration": {
        "en": ("Voter registration table: {area}", "Register to vote: {area}", "Voter registration drive ({area})"),
        "fr": ("Kiosque d'inscription électorale — {area}", "Inscrivez-vous pour voter : {area}", "Inscription des électeurs — {area}"),
    },
    "training": {
        "en": ("Canvass training: {area}", "New volunteer training ({area})", "Phone bank training: {area}"),
        "fr": ("Formation porte-à-porte — {area}", "Formation des nouveaux bénévoles : {area}", "Formation aux appels — {area}"),
    },
    "other": {
        "en": ("Poster-making afternoon: {area}", "Community clean-up: {area}", "Volunteer social ({area})"),
        "fr": ("Atelier d'affiches — {area}", "Corvée de nettoyage : {area}", "5 à 7 des bénévoles — {area}"),
    },
}  # fmt: skip

EVENT_DESCRIPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "canvass": {
        "en": (
            "We'll meet, pair up new and experienced volunteers, and knock on doors for two hours.\n\n"
            "**Bring** comfortable shoes and a water bottle. We provide the maps and the scripts.",
            "First time canvassing? Perfect. A 15-minute briefing at the start covers everything you need "
            "to know, and you'll never go out alone.",
        ),
        "fr": (
            "On se retrouve, on forme des équipes de deux (une personne d'expérience avec une nouvelle) et "
            "on frappe aux portes pendant deux heures.\n\n**Apportez** de bonnes chaussures et une gourde. "
            "On fournit les cartes et l'argumentaire.",
            "Premier porte-à-porte ? Parfait. Une séance d'accueil de 15 minutes explique tout, et vous ne "
            "serez jamais seul·e.",
        ),
    },
    "phone_bank": {
        "en": (
            "We call supporters to invite them to events near them. Bring a charged phone and headphones; "
            "the script and the list are on the laptop.",
            "Calls from home or together: the link to join is sent once you RSVP. *Snacks provided* for "
            "those who come in person.",
        ),
        "fr": (
            "On appelle des sympathisants pour les inviter aux activités près de chez eux. Apportez un "
            "téléphone chargé et des écouteurs ; l'argumentaire et la liste sont fournis.",
            "Des appels depuis chez vous ou ensemble : le lien est envoyé après l'inscription. *Collations "
            "offertes* sur place.",
        ),
    },
    "house_party": {
        "en": (
            "An informal evening at a supporter's home to meet neighbours and talk about what we can do "
            "together. Kids welcome until 8 pm.",
            "Potluck in the backyard (indoors if it rains). Bring a dish if you can, and bring a friend "
            "who's curious about the campaign.",
        ),
        "fr": (
            "Une soirée sans façon chez une sympathisante pour rencontrer ses voisins et parler de ce qu'on "
            "peut faire ensemble. Enfants bienvenus jusqu'à 20 h.",
            "Repas-partage dans la cour (à l'intérieur s'il pleut). Apportez un plat si vous pouvez, et "
            "une personne curieuse de la campagne.",
        ),
    },
    "rally": {
        "en": (
            "Speeches from tenants, nurses and transit riders, then a short march. Bring a sign and your "
            "loudest voice.",
            "A rally to show that our neighbourhood wants change. Accessible route; marshals in orange vests.",
        ),
        "fr": (
            "Des prises de parole de locataires, d'infirmières et d'usagers du transport, puis une courte "
            "marche. Apportez une pancarte et votre plus belle voix.",
            "Un rassemblement pour montrer que le quartier veut du changement. Parcours accessible ; "
            "bénévoles d'accueil en dossard orange.",
        ),
    },
    "meeting": {
        "en": (
            "Agenda:\n\n1. what we heard at the doors\n2. next month's events\n3. who does what\n\n"
            "Everyone is welcome, members or not.",
            "Our regular meeting. We finish on time, promise.",
        ),
        "fr": (
            "Ordre du jour :\n\n1. ce qu'on a entendu aux portes\n2. les activités du mois prochain\n"
            "3. qui fait quoi\n\nTout le monde est bienvenu, membre ou non.",
            "Notre réunion régulière. On finit à l'heure, promis.",
        ),
    },
    "fundraiser": {
        "en": (
            "Every dollar raised here pays for flyers and bus tickets for volunteers. Pay what you can; "
            "no one turned away.",
            "Good food, good company and a short word from our candidate. Tickets at the door.",
        ),
        "fr": (
            "Chaque dollar amassé sert à imprimer des dépliants et à payer le transport des bénévoles. "
            "Contribution volontaire ; personne n'est refusé.",
            "Bonne bouffe, bonne compagnie et un mot de notre candidate. Entrée à la porte.",
        ),
    },
    "voter_registration": {
        "en": (
            "We help people check that they are on the voters' list. Training on the spot; bring ID "
            "examples if you have them.",
            "A table at the market entrance. Two-hour shifts, in pairs.",
        ),
        "fr": (
            "On aide les gens à vérifier leur inscription sur la liste électorale. Formation sur place.",
            "Un kiosque à l'entrée du marché. Des quarts de deux heures, en binôme.",
        ),
    },
    "training": {
        "en": (
            "Learn how to start a conversation at the door, listen, and log what you hear. Role play "
            "included (it's less scary than it sounds).",
            "For new volunteers: how the campaign works, our tools, and how to host your own event.",
        ),
        "fr": (
            "Apprenez à engager la conversation à la porte, à écouter et à noter ce qu'on vous dit. "
            "Mises en situation au programme (moins intimidant qu'il n'y paraît).",
            "Pour les nouveaux bénévoles : le fonctionnement de la campagne, nos outils, et comment "
            "organiser votre propre activité.",
        ),
    },
    "other": {
        "en": (
            "Markers, paint and big sheets of paper: we make the signs for the next rally.",
            "A relaxed get-together for volunteers and the people who are thinking about it.",
        ),
        "fr": (
            "Feutres, peinture et grandes feuilles : on prépare les pancartes du prochain rassemblement.",
            "Un moment détendu pour les bénévoles et celles et ceux qui y pensent.",
        ),
    },
}

VENUES: dict[str, tuple[str, ...]] = {
    "en": (
        "Community centre, room 2", "Public library, meeting room", "The Corner Café", "Union hall",
        "Church basement", "Neighbourhood park, by the fountain", "Campaign office", "Community garden",
        "Legion hall", "Co-op bookstore",
    ),
    "fr": (
        "Centre communautaire, salle 2", "Bibliothèque de quartier, salle de réunion", "Café du coin",
        "Local syndical", "Sous-sol de l'église", "Parc du quartier, près de la fontaine",
        "Local de campagne", "Jardin communautaire", "Maison de quartier", "Librairie coopérative",
    ),
}  # fmt: skip
HOME_VENUES: dict[str, str] = {"en": "At a supporter's home", "fr": "Chez une sympathisante"}

# Streets by town (the town of a bundled place), and by country for the towns not listed.
STREETS: dict[str, tuple[str, ...]] = {
    "Montréal": (
        "rue Saint-Denis", "boulevard Saint-Laurent", "avenue du Mont-Royal Est", "rue Ontario Est",
        "rue Beaubien Est", "avenue Laurier Ouest", "rue Fleury Est", "rue Wellington", "rue Sherbrooke Ouest",
        "avenue du Parc", "rue Jarry Est", "boulevard De Maisonneuve Ouest",
    ),
    "Laval": ("boulevard des Laurentides", "boulevard de la Concorde Est", "rue Lesage", "boulevard Cartier Ouest"),
    "Québec": ("rue Saint-Jean", "rue Saint-Joseph Est", "avenue Cartier", "boulevard René-Lévesque Ouest", "rue Saint-Vallier Ouest"),
    "Gatineau": ("rue Laval", "promenade du Portage", "boulevard Saint-Joseph", "rue Eddy"),
    "Sherbrooke": ("rue King Ouest", "rue Wellington Nord", "rue Galt Ouest", "boulevard de Portland"),
    "Trois-Rivières": ("rue des Forges", "boulevard des Forges", "rue Notre-Dame Centre", "rue Royale"),
    "Ottawa": ("Bank Street", "Elgin Street", "Rideau Street", "Somerset Street West", "Dalhousie Street"),
    "Toronto": (
        "Queen Street West", "Bloor Street West", "King Street West", "Dundas Street West", "College Street",
        "Church Street", "Christie Street", "Bathurst Street",
    ),
    "Vancouver": ("Commercial Drive", "Main Street", "Hastings Street East", "Water Street", "Granville Street"),
    "Moncton": ("Main Street", "St. George Street", "Mountain Road", "Botsford Street"),
    "Winnipeg": ("Portage Avenue", "Main Street", "Princess Street", "McDermot Avenue", "Albert Street"),
    "Paris": (
        "rue Oberkampf", "boulevard Voltaire", "rue de la Roquette", "avenue Jean-Jaurès",
        "rue du Faubourg-Saint-Antoine", "rue de Belleville", "rue des Martyrs", "rue de Charonne",
        "boulevard de Ménilmontant", "rue Mouffetard", "rue de Vaugirard", "avenue d'Italie",
    ),
    "Lyon": ("rue de la République", "cours Gambetta", "montée de la Grande-Côte", "rue Garibaldi", "avenue Jean-Jaurès"),
    "Marseille": ("La Canebière", "rue d'Aubagne", "cours Belsunce", "rue de la République"),
    "Lille": ("rue Gambetta", "rue de la Monnaie", "boulevard de la Liberté", "place du Marché"),
    "Bordeaux": ("cours de la Marne", "quai des Chartrons", "rue Sainte-Catherine", "cours Victor-Hugo"),
    "Toulouse": ("rue d'Alsace-Lorraine", "allées Jean-Jaurès", "rue de la République", "place du Capitole"),
    "Nantes": ("rue du Calvaire", "cours des 50-Otages", "quai de la Fosse", "boulevard Victor-Hugo"),
    "Strasbourg": ("rue de la Krutenau", "route du Polygone", "quai des Bateliers", "avenue Jean-Jaurès"),
    "Rennes": ("rue Saint-Malo", "boulevard de la Liberté", "rue de Paris", "quai Lamartine"),
    "Montpellier": ("rue de l'Aiguillerie", "boulevard Louis-Blanc", "rue du Faubourg-Boutonnet", "cours Gambetta"),
    "Grenoble": ("cours Berriat", "rue Championnet", "avenue Alsace-Lorraine", "quai Stéphane-Jay"),
    "Nice": ("avenue Jean-Médecin", "rue de France", "boulevard Gambetta", "rue Bonaparte"),
    "New York": ("8th Avenue", "West 23rd Street", "9th Avenue", "West 26th Street"),
    "Cambridge": ("Massachusetts Avenue", "Magazine Street", "River Street", "Western Avenue"),
    "Chicago": ("North Clark Street", "North Halsted Street", "West Armitage Avenue", "North Lincoln Avenue"),
    "San Francisco": ("Valencia Street", "Mission Street", "24th Street", "Cortland Avenue"),
    "Seattle": ("Fremont Avenue North", "North 45th Street", "Stone Way North", "Aurora Avenue North"),
    "Washington": ("U Street NW", "14th Street NW", "7th Street NW", "Florida Avenue NW"),
    "CA": ("Main Street", "King Street", "Queen Street", "rue Principale"),
    "FR": ("rue de la République", "avenue Jean-Jaurès", "place du Marché", "rue Victor-Hugo"),
    "US": ("Main Street", "Broadway", "Elm Street", "Oak Avenue"),
}  # fmt: skip
