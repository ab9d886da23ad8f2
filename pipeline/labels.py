"""The words of the book's own furniture, in the book's language: one table.

Contents, landmarks, cover, title page, start of text, colophon — for the
pamphlet's contents page and the EPUB's navigation, landmarks and file titles.
Languages the Library publishes in most; anything else falls back to English.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Labels:
    contents: str
    landmarks: str
    cover: str
    titlepage: str
    start: str
    colophon: str


LABELS = {
    "en": ("Contents", "Landmarks", "Cover", "Title page", "Start of text", "Colophon"),
    "fr": ("Table des matières", "Repères", "Couverture", "Page de titre", "Début du texte", "Colophon"),
    "de": ("Inhalt", "Orientierungspunkte", "Umschlag", "Titelseite", "Textbeginn", "Impressum"),
    "es": ("Índice", "Puntos de referencia", "Cubierta", "Portada", "Inicio del texto", "Colofón"),
    "it": ("Indice", "Punti di riferimento", "Copertina", "Frontespizio", "Inizio del testo", "Colophon"),
    "pt": ("Sumário", "Pontos de referência", "Capa", "Folha de rosto", "Início do texto", "Colofão"),
    "mk": ("Содржина", "Ориентири", "Корица", "Насловна страница", "Почеток на текстот", "Колофон"),
    "ru": ("Содержание", "Ориентиры", "Обложка", "Титульная страница", "Начало текста", "Выходные данные"),
    "sr": ("Садржај", "Оријентири", "Корице", "Насловна страна", "Почетак текста", "Колофон"),
    "sh": ("Sadržaj", "Orijentiri", "Naslovnica", "Naslovna stranica", "Početak teksta", "Kolofon"),
    "zh": ("目录", "导航", "封面", "书名页", "正文", "版权页"),
    "zh-hant": ("目錄", "導覽", "封面", "書名頁", "正文", "版權頁"),
    "ja": ("目次", "ランドマーク", "表紙", "扉", "本文", "奥付"),
    "ko": ("차례", "랜드마크", "표지", "속표지", "본문 시작", "판권"),
    "fa": ("فهرست", "نشانه‌ها", "جلد", "صفحه‌ی عنوان", "آغاز متن", "شناسنامه"),
    "ar": ("المحتويات", "معالم", "الغلاف", "صفحة العنوان", "بداية النص", "بيانات النشر"),
    "he": ("תוכן העניינים", "ציוני דרך", "כריכה", "שער", "תחילת הטקסט", "קולופון"),
    "el": ("Περιεχόμενα", "Ορόσημα", "Εξώφυλλο", "Σελίδα τίτλου", "Αρχή του κειμένου", "Κολοφώνας"),
    "tr": ("İçindekiler", "Yer işaretleri", "Kapak", "Başlık sayfası", "Metnin başı", "Künye"),
}
# Tags that share another's words.
SAME_AS = {"hr": "sh", "bs": "sh", "sr-latn": "sh", "zh-tw": "zh-hant", "zh-hk": "zh-hant",
           "zh-mo": "zh-hant", "pt-br": "pt"}


def labels_for(lang: str) -> Labels:
    parts = (lang or "en").replace("_", "-").lower().split("-")
    for n in range(len(parts), 0, -1):
        tag = "-".join(parts[:n])
        tag = SAME_AS.get(tag, tag)
        if tag in LABELS:
            return Labels(*LABELS[tag])
    return Labels(*LABELS["en"])
