"""The demo and its load driver: the Quảng Ngãi province, a demo event, a finished training, and
`simulate_day`. Installed only outside production (config/settings.py), so in production its
commands do not exist. It sits on top of every other app and may import any of them; none imports it.
"""
