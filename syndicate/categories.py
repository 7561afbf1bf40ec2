"""Apple Podcasts' category list (the 2019 taxonomy Apple still uses). The first category counts."""

from __future__ import annotations

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
        "Home & Garden", "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
        "Sports News", "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality",
    ),
    "Science": (
        "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
        "Natural Sciences", "Nature", "Physics", "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships",
    ),
    "Sports": (
        "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey",
        "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}


def parse_category(text: str) -> tuple[str, str | None]:
    """Split ``"Society & Culture > Documentary"`` and check it against Apple's list.

    Raises ValueError with a message that names the valid choices.
    """
    parts = [p.strip() for p in text.split(">")]
    if len(parts) > 2 or not parts[0]:
        raise ValueError(f"expected 'Category' or 'Category > Subcategory', got {text!r}")
    top = parts[0]
    if top not in APPLE_CATEGORIES:
        raise ValueError(
            f"{top!r} is not an Apple Podcasts category; choose one of: "
            + ", ".join(APPLE_CATEGORIES)
        )
    if len(parts) == 1:
        return top, None
    sub = parts[1]
    if sub not in APPLE_CATEGORIES[top]:
        choices = ", ".join(APPLE_CATEGORIES[top]) or "none (use the category alone)"
        raise ValueError(f"{sub!r} is not a subcategory of {top!r}; choose one of: {choices}")
    return top, sub
