"""Posts, comments and messages of the demo campaign, in English and French."""

from __future__ import annotations

POSTS = {
    "en": (
        (
            "Why I knock on doors",
            "Every Saturday I walk my street with a clipboard. Most people just want to be **listened to**.",
        ),
        (
            "Our first phone bank",
            "Twelve of us, forty calls each. Three new volunteers signed up by the end of the evening!",
        ),
        (
            "Transit that works",
            "The 55 bus comes every 25 minutes. We can do better: here is what our group proposes.\n\n- more buses at rush hour\n- a night line",
        ),
        (
            "Meet your neighbours",
            "Bring a chair to the park on Sunday: we talk housing, kids and the next canvass.",
        ),
        ("What I learned canvassing", "People remember a real conversation far longer than a flyer."),
        (
            "Childcare is an election issue",
            "Parents on my street pay more for daycare than for rent. Let's talk about it.",
        ),
    ),
    "fr": (
        (
            "Pourquoi je fais du porte-à-porte",
            "Chaque samedi, je parcours ma rue. La plupart des gens veulent surtout être **écoutés**.",
        ),
        (
            "Notre première soirée d'appels",
            "Douze bénévoles, quarante appels chacun, et trois nouvelles recrues à la fin de la soirée !",
        ),
        (
            "Un transport en commun qui marche",
            "Le bus 55 passe toutes les 25 minutes. Voici ce que notre groupe propose.\n\n- plus de bus aux heures de pointe\n- une ligne de nuit",
        ),
        (
            "Rencontrer ses voisins",
            "Apportez une chaise au parc dimanche : on parle logement, enfants et prochaine tournée.",
        ),
        (
            "Ce que m'a appris le terrain",
            "Les gens se souviennent d'une vraie conversation bien plus longtemps que d'un tract.",
        ),
        (
            "Les garderies, un enjeu électoral",
            "Dans ma rue, la garderie coûte plus cher que le loyer. Parlons-en.",
        ),
    ),
}

COMMENTS = {
    "en": (
        "Count me in for Saturday!",
        "So true. Thanks for writing this.",
        "Can I bring my kids?",
        "Shared with my street.",
        "Great work, everyone.",
    ),
    "fr": (
        "Je serai là samedi !",
        "Tellement vrai. Merci pour ce texte.",
        "Je peux venir avec mes enfants ?",
        "Partagé avec ma rue.",
        "Bravo à toute l'équipe.",
    ),
}

MESSAGES = {
    "en": (
        "Hi! Are you coming to the canvass on Saturday?",
        "Yes, I'll bring flyers.",
        "Great, see you at 10 at the park.",
    ),
    "fr": (
        "Salut ! Tu viens au porte-à-porte samedi ?",
        "Oui, j'apporte des tracts.",
        "Super, rendez-vous à 10 h au parc.",
    ),
}
