"""Titles and abstracts: templates of vocabulary.py filled with a research field's words."""

from __future__ import annotations

import random

from publications.demo.specs import ResearchField
from publications.demo.vocabulary import (
    APPROACH,
    BACKGROUND,
    CONCLUSIONS,
    EFFECTS,
    FINDINGS,
    FOREIGN_VOCABULARY,
    SHORT_TYPES,
    TITLE_TEMPLATES,
    TYPE_TITLE_TEMPLATES,
)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def fill(template: str, slots: dict[str, str]) -> str:
    """Fills {topic} with the slot and {Topic} with it capitalised."""
    return template.format(**slots, **{cap(key): cap(value) for key, value in slots.items()})


def draw_slots(rng: random.Random, research_field: ResearchField) -> dict[str, str]:
    """The words of one English title or abstract: two topics, two methods, a context…"""
    topic, topic2 = rng.sample(research_field.topics, 2)
    method, method2 = rng.sample(research_field.methods, 2)
    return {
        "topic": topic,
        "topic2": topic2,
        "context": rng.choice(research_field.contexts),
        "agent": rng.choice(research_field.agents),
        "method": method,
        "method2": method2,
        "discipline": research_field.discipline,
        "effect": rng.choice(EFFECTS),
    }


def draw_text(
    rng: random.Random,
    titles: set[str],
    research_field: ResearchField,
    output_type: str,
    language: str,
) -> tuple[str, str]:
    """A title not in titles (lower-cased; it is added), and an abstract of 2-4 sentences (none
    for the short kinds of output, which seldom have one)."""
    while True:
        if language == "en":
            slots = draw_slots(rng, research_field)
            templates = TYPE_TITLE_TEMPLATES.get(output_type, TITLE_TEMPLATES)
            title = fill(rng.choice(templates), slots)
            sentences = [rng.choice(BACKGROUND), rng.choice(APPROACH)]
            sentences += [rng.choice(FINDINGS), rng.choice(CONCLUSIONS)][: rng.randint(0, 2)]
        else:
            vocabulary = FOREIGN_VOCABULARY[language]
            topic, topic2 = rng.sample(vocabulary[research_field.key], 2)
            slots = {
                "topic": topic,
                "topic2": topic2,
                "place": rng.choice(vocabulary["places"]),
                "period": rng.choice(vocabulary["periods"]),
            }
            title = fill(rng.choice(vocabulary["titles"]), slots)
            sentences = list(vocabulary["sentences"][: rng.randint(2, 3)])
        if title.lower() not in titles:
            titles.add(title.lower())
            break
    if output_type in SHORT_TYPES and rng.random() < 0.7:
        return title, ""
    return title, " ".join(fill(sentence, slots) for sentence in sentences)
