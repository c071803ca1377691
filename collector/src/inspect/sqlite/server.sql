-- Library version and the file behind the main database.
SELECT sqlite_version(), (SELECT file FROM pragma_database_list WHERE name = 'main')
