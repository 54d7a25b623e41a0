"""Reading addresses out of a pasted list or a CSV file."""

from __future__ import annotations

from app.invitations.schemas import address_lines


def test_a_pasted_list_gives_each_address_with_its_line() -> None:
    text = "  anna@example.org \n\nbruno@example.org\r\nnot an address\n"

    assert address_lines(text) == [
        (1, "anna@example.org"),
        (3, "bruno@example.org"),
        (4, "not an address"),
    ]


def test_a_csv_skips_its_header_and_takes_the_cell_with_an_at() -> None:
    text = '\ufeffNome;E-mail\n"Rossi, Anna";"anna@example.org"\nBruno\tbruno@example.org\n'

    assert address_lines(text) == [(2, "anna@example.org"), (3, "bruno@example.org")]


def test_only_a_first_line_without_an_address_is_a_header() -> None:
    assert address_lines("email\nemail\n") == [(2, "email")]
