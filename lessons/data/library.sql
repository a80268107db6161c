-- A small lending library: ormscope's second dataset (issue 13, contract section 5).
-- Load it into a file with `sqlite3 lib.db < library.sql`, then `ormscope --db lib.db`.
-- Every shape automap names: a self-reference (members.sponsor_id), two foreign keys to one
-- table (books.author_id and books.translator_id), a link table (book_tags), a composite key
-- (copies), a view (open_loans) and a table without a key (visits).
PRAGMA foreign_keys = ON;

CREATE TABLE authors (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL,
  country TEXT
);
CREATE TABLE members (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  email      TEXT NOT NULL UNIQUE,
  joined     TEXT NOT NULL,
  sponsor_id INTEGER REFERENCES members(id) ON DELETE SET NULL
);
CREATE TABLE books (
  id            INTEGER PRIMARY KEY,
  title         TEXT NOT NULL,
  year          INTEGER CHECK (year BETWEEN 1400 AND 2100),
  pages         INTEGER NOT NULL DEFAULT 100 CHECK (pages > 0),
  author_id     INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
  translator_id INTEGER REFERENCES authors(id) ON DELETE SET NULL
);
CREATE INDEX ix_books_author_id ON books (author_id);
CREATE INDEX ix_books_translator_id ON books (translator_id);
CREATE TABLE tags (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE book_tags (
  book_id INTEGER NOT NULL REFERENCES books(id) ON DELETE CASCADE,
  tag_id  INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (book_id, tag_id)
);
CREATE INDEX ix_book_tags_tag_id ON book_tags (tag_id);
CREATE TABLE copies (
  book_id INTEGER NOT NULL REFERENCES books(id) ON DELETE CASCADE,
  copy_no INTEGER NOT NULL,
  shelf   TEXT NOT NULL,
  PRIMARY KEY (book_id, copy_no)
);
CREATE TABLE loans (
  id          INTEGER PRIMARY KEY,
  book_id     INTEGER NOT NULL REFERENCES books(id) ON DELETE CASCADE,
  member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  loaned_on   TEXT NOT NULL,
  returned_on TEXT
);
CREATE INDEX ix_loans_book_id ON loans (book_id);
CREATE INDEX ix_loans_member_id ON loans (member_id);
CREATE TABLE visits (
  member_id INTEGER REFERENCES members(id) ON DELETE CASCADE,
  day       TEXT NOT NULL
);
CREATE VIEW open_loans AS
  SELECT loans.id AS loan_id, books.title AS title, members.name AS member, loans.loaned_on AS loaned_on
  FROM loans JOIN books ON books.id = loans.book_id JOIN members ON members.id = loans.member_id
  WHERE loans.returned_on IS NULL;

INSERT INTO authors (id, name, country) VALUES
  (1, 'Ursula K. Le Guin', 'USA'),
  (2, 'Gabriel García Márquez', 'Colombia'),
  (3, 'Gregory Rabassa', 'USA'),
  (4, 'Haruki Murakami', 'Japan'),
  (5, 'Jay Rubin', 'USA'),
  (6, 'Tove Jansson', 'Finland'),
  (7, 'Chinua Achebe', 'Nigeria'),
  (8, 'Edith Grossman', NULL);

INSERT INTO members (id, name, email, joined, sponsor_id) VALUES
  (1, 'Ada Obi', 'ada@library.org', '2019-03-01', NULL),
  (2, 'Ben Ito', 'ben@library.org', '2020-01-15', 1),
  (3, 'Cleo Park', 'cleo@library.org', '2020-06-30', 1),
  (4, 'Dev Rao', 'dev@library.org', '2021-09-12', 2),
  (5, 'Eva Lind', 'eva@library.org', '2022-02-02', NULL),
  (6, 'Femi Ade', 'femi@library.org', '2023-05-20', 3),
  (7, 'Gus Moreau', 'gus@library.org', '2024-11-11', 1),
  (8, 'Hana Sato', 'hana@library.org', '2025-01-08', NULL);

INSERT INTO books (id, title, year, pages, author_id, translator_id) VALUES
  (1, 'A Wizard of Earthsea', 1968, 183, 1, NULL),
  (2, 'The Left Hand of Darkness', 1969, 286, 1, NULL),
  (3, 'The Dispossessed', 1974, 387, 1, NULL),
  (4, 'One Hundred Years of Solitude', 1967, 417, 2, 3),
  (5, 'Love in the Time of Cholera', 1985, 348, 2, 8),
  (6, 'Chronicle of a Death Foretold', 1981, 120, 2, 3),
  (7, 'Norwegian Wood', 1987, 296, 4, 5),
  (8, 'The Wind-Up Bird Chronicle', 1994, 607, 4, 5),
  (9, 'Kafka on the Shore', 2002, 505, 4, NULL),
  (10, 'Finn Family Moomintroll', 1948, 170, 6, NULL),
  (11, 'The Summer Book', 1972, 172, 6, NULL),
  (12, 'Things Fall Apart', 1958, 209, 7, NULL),
  (13, 'No Longer at Ease', 1960, 194, 7, NULL);

INSERT INTO tags (id, name) VALUES
  (1, 'fantasy'), (2, 'classic'), (3, 'translated'), (4, 'science fiction'), (5, 'family'), (6, 'poetry');

INSERT INTO book_tags (book_id, tag_id) VALUES
  (1, 1), (1, 2), (2, 4), (2, 2), (3, 4), (4, 2), (4, 3), (4, 5), (5, 3), (6, 3),
  (7, 3), (8, 3), (8, 1), (9, 3), (9, 1), (10, 1), (10, 3), (10, 5), (11, 5), (12, 2), (13, 2);

INSERT INTO copies (book_id, copy_no, shelf) VALUES
  (1, 1, 'F1'), (1, 2, 'F1'), (2, 1, 'S1'), (3, 1, 'S1'), (4, 1, 'C2'), (4, 2, 'C2'), (4, 3, 'C3'),
  (5, 1, 'C2'), (6, 1, 'C2'), (7, 1, 'M1'), (8, 1, 'M1'), (8, 2, 'M1'), (9, 1, 'M1'),
  (10, 1, 'K1'), (11, 1, 'K1'), (12, 1, 'C1'), (13, 1, 'C1');

INSERT INTO loans (id, book_id, member_id, loaned_on, returned_on) VALUES
  (1, 4, 1, '2026-09-01', '2026-09-20'),
  (2, 1, 2, '2026-09-03', NULL),
  (3, 7, 2, '2026-09-10', '2026-09-30'),
  (4, 4, 3, '2026-10-01', NULL),
  (5, 12, 4, '2026-10-02', '2026-10-16'),
  (6, 8, 1, '2026-10-05', NULL),
  (7, 10, 6, '2026-10-07', '2026-10-21'),
  (8, 2, 3, '2026-10-09', NULL),
  (9, 9, 5, '2026-10-12', '2026-10-28'),
  (10, 11, 7, '2026-10-15', NULL),
  (11, 4, 4, '2026-11-01', NULL),
  (12, 5, 1, '2026-11-02', '2026-11-20');

INSERT INTO visits (member_id, day) VALUES
  (1, '2026-11-01'), (2, '2026-11-01'), (1, '2026-11-02'), (4, '2026-11-03'), (6, '2026-11-03');
