"""The web survey's wording (the page an officer's QR code or link opens), in English
and polite Polish: the page is in the survey's language, from the header to the
thank-you page.  Pure data; sms/web.py and its templates fill it in.

Polish addresses the victim as "Państwo" (no guess at their gender, never the informal
"ty"); buttons speak in the victim's own voice ("Wysyłam komentarz") rather than
giving an order.  The web can show diacritics, so Polish here keeps them.
"""
from __future__ import annotations

from flows import equality

LANGUAGES = ("en", "pl")

PAGE = {
    "en": {
        "html_lang": "en-GB",
        "force": "Metropolitan Police",
        "header": "Metropolitan Police Victim Focus Desk",
        "exit": "Leave this page quickly",
        "emergency": "In an emergency call <strong>999</strong>. If you cannot speak, call 999 and press 55 when "
                     "asked. For non-emergencies call 101.",
        "desk": "Victim Focus Desk",
        "leaflet": "Your rights and where to get support",
        "history": "To leave this page quickly, you can also press the Shift key three times. If someone else "
                   "may look at this phone or computer, you can delete these pages from the browser's history "
                   "when you have finished.",
        "survey_title": "Rate the service you received",
        "survey_heading": "How did we do?",
        "helps": "Your answer helps us improve. It does not affect your case.",
        "comment_first": "1. Anything you want to tell us? (optional)",
        "rating_legend": "2. Choose a rating from 1 (very poor) to 5 (excellent) to send your answer",
        "rated_title": "Thank you",
        "you_rated": "You rated this contact {rating} out of 5.",
        "comment_label": "If you would like to tell us why, write it here (optional)",
        "send_comment": "Send comment",
        "withdraw": "If you change your mind, open this link to withdraw:",
        "withdraw_keep": "Keep it somewhere safe, or call the desk.",
        "forum_heading": "The Victim Voice Forum",
        "forum_text": "The Victim Voice Forum brings victims together to tell the police what needs to change. Would "
                      "you like its organisers to contact you about it (by the same email or phone number we used)? "
                      "You can change your mind at any time.",
        "forum_yes": "Yes, tell me about the forum",
        "forum_no": "No, thank you",
        "about_heading": "About you (optional)",
        "about_text": "These questions help us find the communities we serve least well. Your answers are kept "
                      "apart from your rating and your details, and are only ever counted together with at least "
                      "nine other people's.",
        "age_label": "Your age",
        "ethnicity_label": "How would you describe your ethnic group?",
        "send": "Send",
        # what the page says back
        "out_of_date": "Sorry, that form was out of date. Please choose your rating again.",
        "choose_rating": "Please choose a rating from 1 to 5.",
        "recorded": "Thank you. We have recorded your rating of {rating}.",
        "refused": "You already rated this contact {kept}, so we kept your first answer and did not record "
                   "{refused}.",
        "unchanged": "You already rated this contact {rating}. Nothing has changed.",
        "comment_thanks": "Thank you for your comment.",
        "choose_yes_no": "Please choose yes or no.",
        "forum_already": "We already have your answer about the forum.",
        "forum_declined": "Thank you. We will not contact you about the forum.",
        "forum_consented": "Thank you. The forum's organisers may contact you about it.",
        "about_thanks": "Thank you for telling us about yourself.",
        # the pages a link opens when it cannot show the survey, and the withdraw / unsubscribe pages
        "call_desk": "To talk to the Victim Focus Desk, call {number}.",
        "unknown_title": "Link not recognised",
        "unknown_heading": "This link is not recognised",
        "unknown_text": "The link may be incomplete or may have expired. Please check you typed it exactly as it "
                        "was given to you.",
        "unknown_link_text": "The link may be incomplete. Please open it exactly as it was given to you.",
        "unknown_email_text": "The link may be incomplete. Please open it exactly as it is in the email.",
        "closed_title": "Survey closed",
        "closed_heading": "This survey has closed",
        "closed_text": "Sorry, we can no longer record answers to this survey. Thank you for your time.",
        "withdraw_title": "Victim Voice Forum",
        "withdraw_heading": "Stop hearing about the Victim Voice Forum?",
        "withdraw_text": "Press the button to withdraw your request to hear about the forum. We will delete the "
                         "contact details it holds.",
        "withdraw_button": "Withdraw my request",
        "withdrawn_title": "Withdrawn",
        "withdrawn_heading": "We will not contact you about the forum",
        "withdrawn_text": "We have withdrawn your request to hear about the Victim Voice Forum and deleted the "
                          "contact details it held.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_heading": "Stop emails from us?",
        "unsubscribe_text": "Press the button to stop the desk's emails to this address. If you have a survey link "
                            "already, it still works.",
        "unsubscribe_button": "Stop these emails",
        "trouble_title": "Please try again later",
        "trouble_heading": "Sorry, this page cannot be shown just now",
        "trouble_text": "Something went wrong on our side. If you were sending an answer, it may not have been "
                        "saved: please open the link again in a few minutes.",
        "unsubscribed_title": "Unsubscribed",
        "unsubscribed_heading": "You will get no more emails from us",
        "unsubscribed_text": "We have recorded that this email address does not want emails from the desk. If you "
                             "have a survey link already, it still works.",
        # the footer's hours
        "weekdays": "Monday to Friday", "weekends": "Saturday and Sunday", "bank_holidays": "bank holidays",
        "weekends_and_bank_holidays": "Saturday and Sunday", "hours": "{days} {start} to {end}",
        "closed": "closed on {days}",
    },
    "pl": {
        "html_lang": "pl",
        "force": "Policja Metropolitalna",
        "header": "Policja Metropolitalna, Victim Focus Desk",
        "exit": "Szybkie wyjście ze strony",
        "emergency": "W nagłym wypadku prosimy dzwonić pod numer <strong>999</strong>. Jeśli nie mogą Państwo "
                     "mówić, prosimy zadzwonić pod 999 i nacisnąć 55, gdy padnie takie polecenie. W sprawach "
                     "niepilnych: 101.",
        "desk": "Victim Focus Desk",
        "leaflet": "Prawa osób poszkodowanych i gdzie szukać wsparcia",
        "history": "Aby szybko opuścić tę stronę, można też trzy razy nacisnąć klawisz Shift. Jeśli ktoś inny "
                   "może przeglądać ten telefon lub komputer, po zakończeniu można usunąć te strony z historii "
                   "przeglądarki.",
        "survey_title": "Ocena naszej obsługi",
        "survey_heading": "Prosimy o ocenę",
        "helps": "Państwa odpowiedź pomoże nam poprawić naszą pracę. Nie ma wpływu na Państwa sprawę.",
        "comment_first": "1. Czy chcą Państwo coś nam przekazać? (nieobowiązkowe)",
        "rating_legend": "2. Aby wysłać odpowiedź, prosimy wybrać ocenę od 1 (bardzo źle) do 5 (bardzo dobrze)",
        "rated_title": "Dziękujemy",
        "you_rated": "Ocena tego kontaktu: {rating} z 5.",
        "comment_label": "Jeśli chcą Państwo napisać, dlaczego, prosimy zrobić to tutaj (nieobowiązkowe)",
        "send_comment": "Wysyłam komentarz",
        "withdraw": "Jeśli zmienią Państwo zdanie, prosimy otworzyć ten link, aby wycofać zgodę:",
        "withdraw_keep": "Prosimy zachować go w bezpiecznym miejscu albo zadzwonić do nas.",
        "forum_heading": "Victim Voice Forum (forum osób poszkodowanych)",
        "forum_text": "Victim Voice Forum gromadzi osoby poszkodowane, które mówią policji, co trzeba zmienić. Czy "
                      "chcą Państwo, aby organizatorzy forum skontaktowali się z Państwem w tej sprawie (przez ten "
                      "sam adres e-mail lub numer telefonu, którego użyliśmy)? Zdanie można zmienić w każdej chwili.",
        "forum_yes": "Tak, proszę o informacje o forum",
        "forum_no": "Nie, dziękuję",
        "about_heading": "Kilka pytań o Państwa (nieobowiązkowe)",
        "about_text": "Te pytania pomagają nam znaleźć społeczności, którym służymy najsłabiej. Odpowiedzi są "
                      "przechowywane oddzielnie od oceny i danych kontaktowych i są liczone wyłącznie razem z "
                      "odpowiedziami co najmniej dziewięciu innych osób.",
        "age_label": "Wiek",
        "ethnicity_label": "Jak określiliby Państwo swoją grupę etniczną?",
        "send": "Wysyłam odpowiedzi",
        "out_of_date": "Przepraszamy, formularz był nieaktualny. Prosimy ponownie wybrać ocenę.",
        "choose_rating": "Prosimy wybrać ocenę od 1 do 5.",
        "recorded": "Dziękujemy. Zapisaliśmy ocenę {rating}.",
        "refused": "Ten kontakt został już oceniony na {kept}, więc zachowaliśmy pierwszą odpowiedź i nie "
                   "zapisaliśmy oceny {refused}.",
        "unchanged": "Ten kontakt został już oceniony na {rating}. Nic się nie zmieniło.",
        "comment_thanks": "Dziękujemy za komentarz.",
        "choose_yes_no": "Prosimy wybrać tak lub nie.",
        "forum_already": "Mamy już Państwa odpowiedź w sprawie forum.",
        "forum_declined": "Dziękujemy. Nie będziemy kontaktować się z Państwem w sprawie forum.",
        "forum_consented": "Dziękujemy. Organizatorzy forum mogą skontaktować się z Państwem w tej sprawie.",
        "about_thanks": "Dziękujemy za te informacje.",
        "call_desk": "Aby porozmawiać z Victim Focus Desk, prosimy zadzwonić pod numer {number}.",
        "unknown_title": "Nieznany link",
        "unknown_heading": "Nie rozpoznajemy tego linku",
        "unknown_text": "Link może być niepełny albo mógł wygasnąć. Prosimy sprawdzić, czy został wpisany "
                        "dokładnie tak, jak go Państwu przekazano.",
        "unknown_link_text": "Link może być niepełny. Prosimy otworzyć go dokładnie w takiej postaci, w jakiej "
                             "został Państwu przekazany.",
        "unknown_email_text": "Link może być niepełny. Prosimy otworzyć go dokładnie w takiej postaci, w jakiej "
                              "jest w e-mailu.",
        "closed_title": "Ankieta zamknięta",
        "closed_heading": "Ta ankieta jest już zamknięta",
        "closed_text": "Przepraszamy, nie możemy już zapisywać odpowiedzi na tę ankietę. Dziękujemy za "
                       "poświęcony czas.",
        "withdraw_title": "Victim Voice Forum",
        "withdraw_heading": "Czy chcą Państwo przestać otrzymywać informacje o Victim Voice Forum?",
        "withdraw_text": "Po naciśnięciu przycisku wycofamy Państwa prośbę o informacje o forum i usuniemy "
                         "przechowywane dane kontaktowe.",
        "withdraw_button": "Wycofuję prośbę",
        "withdrawn_title": "Prośba wycofana",
        "withdrawn_heading": "Nie będziemy kontaktować się z Państwem w sprawie forum",
        "withdrawn_text": "Wycofaliśmy Państwa prośbę o informacje o Victim Voice Forum i usunęliśmy "
                          "przechowywane dane kontaktowe.",
        "unsubscribe_title": "Rezygnacja z e-maili",
        "unsubscribe_heading": "Czy chcą Państwo przestać otrzymywać od nas e-maile?",
        "unsubscribe_text": "Po naciśnięciu przycisku nie będziemy wysyłać e-maili na ten adres. Link do ankiety, "
                            "który już Państwo mają, nadal działa.",
        "unsubscribe_button": "Rezygnuję z e-maili",
        "trouble_title": "Prosimy spróbować później",
        "trouble_heading": "Przepraszamy, nie możemy teraz wyświetlić tej strony",
        "trouble_text": "Wystąpił problem po naszej stronie. Jeśli wysyłali Państwo odpowiedź, mogła nie zostać "
                        "zapisana: prosimy otworzyć link ponownie za kilka minut.",
        "unsubscribed_title": "Rezygnacja zapisana",
        "unsubscribed_heading": "Nie będą Państwo otrzymywać od nas e-maili",
        "unsubscribed_text": "Zapisaliśmy, że ten adres e-mail nie ma otrzymywać od nas wiadomości. Link do "
                             "ankiety, który już Państwo mają, nadal działa.",
        "weekdays": "od poniedziałku do piątku", "weekends": "w soboty i niedziele", "bank_holidays": "w święta",
        "weekends_and_bank_holidays": "w soboty i niedziele", "hours": "{days} {start}-{end}",
        "closed": "{days} nieczynne",
    },
}

AGE_BANDS_PL = {
    "under_18": "Poniżej 18 lat", "18_24": "18-24 lata", "25_34": "25-34 lata", "35_44": "35-44 lata",
    "45_54": "45-54 lata", "55_64": "55-64 lata", "65_74": "65-74 lata", "75_over": "75 lat lub więcej",
    equality.PREFER_NOT: "Wolę nie podawać",
}

# The ONS 2021 groups and categories (flows/equality.py), in Polish; keys as stored.
ETHNIC_GROUP_NAMES_PL = {
    "Asian, Asian British or Asian Welsh": "Azjatycka, azjatycko-brytyjska lub azjatycko-walijska",
    "Black, Black British, Black Welsh, Caribbean or African":
        "Czarnoskóra, czarnoskóra brytyjska lub walijska, karaibska lub afrykańska",
    "Mixed or Multiple ethnic groups": "Mieszana lub wieloetniczna",
    "White": "Biała",
    "Other ethnic group": "Inna grupa etniczna",
}
ETHNICITIES_PL = {
    "asian_bangladeshi": "Bengalska (Bangladesz)", "asian_chinese": "Chińska", "asian_indian": "Indyjska",
    "asian_pakistani": "Pakistańska", "asian_other": "Inne pochodzenie azjatyckie",
    "black_african": "Afrykańska", "black_caribbean": "Karaibska",
    "black_other": "Inne pochodzenie czarnoskóre, czarnoskóre brytyjskie lub karaibskie",
    "mixed_white_asian": "Biała i azjatycka", "mixed_white_black_african": "Biała i czarnoskóra afrykańska",
    "mixed_white_black_caribbean": "Biała i czarnoskóra karaibska",
    "mixed_other": "Inne pochodzenie mieszane lub wieloetniczne",
    "white_british": "Angielska, walijska, szkocka, północnoirlandzka lub brytyjska", "white_irish": "Irlandzka",
    "white_gypsy_traveller": "Gypsy lub Irish Traveller", "white_roma": "Romska",
    "white_other": "Inne pochodzenie białe",
    "other_arab": "Arabska", "other_any": "Inna grupa etniczna",
}


def page_text(language: str) -> dict[str, str]:
    return PAGE[language if language in PAGE else "en"]


def chosen_language(asked: str | None, browser: str | None) -> str:
    """The language of a page whose link does not say whose it is (an unrecognised link,
    the email's unsubscribe link): the one our own link asked for (?lang=pl), else the
    one the victim's browser prefers of ours, else English."""
    if asked in LANGUAGES:
        return asked
    return browser if browser in LANGUAGES else "en"


def age_bands(language: str) -> dict[str, str]:
    return AGE_BANDS_PL if language == "pl" else equality.AGE_BANDS


def ethnic_groups(language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    if language != "pl":
        return equality.ETHNIC_GROUPS
    return [(ETHNIC_GROUP_NAMES_PL[group], [(key, ETHNICITIES_PL[key]) for key, _label in items])
            for group, items in equality.ETHNIC_GROUPS]


def prefer_not(language: str) -> str:
    return age_bands(language)[equality.PREFER_NOT]
