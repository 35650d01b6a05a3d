#!/usr/bin/env python3
"""make bench's throw-away PostgreSQL database: `bench_db.py create|drop DATABASE_URL` creates
(or drops) a database named jiedai_bench on the same server and prints its URL."""

import sys

import dj_database_url
import psycopg2

NAME = "jiedai_bench"


def main(action: str, url: str) -> None:
    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        if action == "create":
            cursor.execute(f"CREATE DATABASE {NAME}")
    connection.close()
    print(url.rsplit("/", 1)[0] + "/" + NAME)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
