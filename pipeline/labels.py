"""The words of the book's own furniture, in the book's language: one table.

Contents, landmarks, cover, title page, start of text, colophon, page list —
for the pamphlet's contents page and the EPUB's navigation, landmarks, page
list and file titles.
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
    pages: str


LABELS = {
    "en": ("Contents", "Landmarks", "Cover", "Title page", "Start of text", "Colophon", "Pages"),
    "fr": ("Table des matières", "Repères", "Couverture", "Page de titre", "Début du texte", "Colophon",
           "Pages"),
    "de": ("Inhalt", "Orientierungspunkte", "Umschlag", "Titelseite", "Textbeginn", "Impressum", "Seiten"),
    "es": ("Índice", "Puntos de referencia", "Cubierta", "Portada", "Inicio del texto", "Colofón", "Páginas"),
    "it": ("Indice", "Punti di riferimento", "Copertina", "Frontespizio", "Inizio del testo", "Colophon",
           "Pagine"),
    "pt": ("Sumário", "Pontos de referência", "Capa", "Folha de rosto", "Início do texto", "Colofão",
           "Páginas"),
    "mk": ("Содржина", "Ориентири", "Корица", "Насловна страница", "Почеток на текстот", "Колофон",
           "Страници"),
    "ru": ("Содержание", "Ориентиры", "Обложка", "Титульная страница", "Начало текста", "Выходные данные",
           "Страницы"),
    "sr": ("Садржај", "Оријентири", "Корице", "Насловна страна", "Почетак текста", "Колофон", "Странице"),
    "sh": ("Sadržaj", "Orijentiri", "Naslovnica", "Naslovna stranica", "Početak teksta", "Kolofon",
           "Stranice"),
    "zh": ("目录", "导航", "封面", "书名页", "正文", "版权页", "页码"),
    "zh-hant": ("目錄", "導覽", "封面", "書名頁", "正文", "版權頁", "頁碼"),
    "ja": ("目次", "ランドマーク", "表紙", "扉", "本文", "奥付", "ページ"),
    "ko": ("차례", "랜드마크", "표지", "속표지", "본문 시작", "판권", "쪽"),
    "fa": ("فهرست", "نشانه‌ها", "جلد", "صفحه‌ی عنوان", "آغاز متن", "شناسنامه", "صفحه‌ها"),
    "ar": ("المحتويات", "معالم", "الغلاف", "صفحة العنوان", "بداية النص", "بيانات النشر", "الصفحات"),
    "he": ("תוכן העניינים", "ציוני דרך", "כריכה", "שער", "תחילת הטקסט", "קולופון", "עמודים"),
    "el": ("Περιεχόμενα", "Ορόσημα", "Εξώφυλλο", "Σελίδα τίτλου", "Αρχή του κειμένου", "Κολοφώνας",
           "Σελίδες"),
    "tr": ("İçindekiler", "Yer işaretleri", "Kapak", "Başlık sayfası", "Metnin başı", "Künye", "Sayfalar"),
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
