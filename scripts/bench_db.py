#!/usr/bin/env python3
"""make bench's throw-away PostgreSQL database: `bench_db.py create|drop DATABASE_URL` creates
(or drops) a database named after DATABASE_URL's with `_bench` appended (jiedai → jiedai_bench)
on the same server and prints its URL. Two people benchmarking against differently named
databases on one server do not drop each other's."""

import sys

import dj_database_url
import psycopg2

SUFFIX = "_bench"


def main(action: str, url: str) -> None:
    config = dj_database_url.parse(url)
    name = f"{config['NAME'] or 'jiedai'}{SUFFIX}"
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if action == "create":
            cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    print(url.rsplit("/", 1)[0] + "/" + name)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
