"""The roles and groups a ``podcast:person`` may name: the Podcast Taxonomy Project's list, which
the namespace's person document points at (its taxonomy.json, in the namespace's repository; the
copy of the namespace in ../shared does not carry it). Names compare without regard to case, as
the document says. The document asks for these values ("should"), it does not require them, so
a name not listed is a warning naming its line, never an error.
"""

from __future__ import annotations

# group -> its roles, as the taxonomy names them (trailing spaces left out)
TAXONOMY = {
    "Creative Direction": ("Director", "Assistant Director", "Executive Producer",
                           "Senior Producer", "Producer", "Associate Producer",
                           "Development Producer", "Creative Director"),
    "Cast": ("Host", "Co-Host", "Guest Host", "Guest", "Voice Actor", "Narrator", "Announcer",
             "Reporter"),
    "Writing": ("Author", "Editorial Director", "Co-Writer", "Writer", "Songwriter",
                "Guest Writer", "Story Editor", "Managing Editor", "Script Editor",
                "Script Coordinator", "Researcher", "Editor", "Fact Checker", "Translator",
                "Transcriber", "Logger"),
    "Audio Production": ("Studio Coordinator", "Technical Director", "Technical Manager",
                         "Audio Engineer", "Remote Recording Engineer",
                         "Post Production Engineer"),
    "Audio Post-Production": ("Audio Editor", "Sound Designer", "Foley Artist", "Composer",
                              "Theme Music", "Music Production", "Music Contributor"),
    "Administration": ("Production Coordinator", "Booking Coordinator", "Production Assistant",
                       "Content Manager", "Marketing Manager", "Sales Representative",
                       "Sales Manager"),
    "Visuals": ("Graphic Designer", "Cover Art Designer"),
    "Community": ("Social Media Manager",),
    "Misc.": ("Consultant", "Intern"),
    "Video Production": ("Camera Operator", "Lighting Designer", "Camera Grip",
                         "Assistant Camera"),
    "Video Post-Production": ("Editor", "Assistant Editor"),
}
# the taxonomy spells one role "Translater": both spellings are taken
_ALSO = {"translater"}
GROUPS = frozenset(g.lower() for g in TAXONOMY)
ROLES = frozenset({r.lower() for roles in TAXONOMY.values() for r in roles} | _ALSO)


def unlisted(word: str, kind: str) -> str | None:
    """Why ``word`` as a person's ``kind`` ("role" or "group") is not in the taxonomy, or None."""
    known = ROLES if kind == "role" else GROUPS
    if word.strip().lower() in known:
        return None
    some = ("host, co-host, guest, producer, editor" if kind == "role"
            else "cast, writing, creative direction, audio production")
    return (f"{kind} {word!r} is not in the Podcast Taxonomy Project's list, so apps may not "
            f"show it (for instance {some}); published as given")


def outside_group(role: str, group: str) -> str | None:
    """Why a listed ``role`` does not belong to a listed ``group``, or None (a role the taxonomy
    puts in two groups, Editor, belongs to both)."""
    role_key, group_key = role.strip().lower(), group.strip().lower()
    homes = [g for g, roles in TAXONOMY.items() if role_key in {r.lower() for r in roles}
             or (role_key in _ALSO and g == "Writing")]
    if not homes or group_key in {g.lower() for g in homes}:
        return None
    return (f"role {role!r} is in the Podcast Taxonomy Project's group "
            f"{' or '.join(repr(g) for g in homes)}, not {group!r}, so apps that sort people by "
            "group may show it in the wrong place; published as given")
