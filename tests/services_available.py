"""Exit 0 when PostgreSQL and Redis answer at the given URLs; otherwise say why and exit 1."""

import sys


def main(pg_url: str, redis_url: str) -> int:
    try:
        import psycopg

        admin_url = pg_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        print(f"PostgreSQL not reachable at {pg_url}: {exc}")
        return 1
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        print(f"Redis not reachable at {redis_url}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
