"""Settings: defaults, BAHTH_* variables, flags on top; bad values are one-line ConfigErrors."""

from pathlib import Path

import pytest

from indexer.cli import main
from indexer.errors import ConfigError
from indexer.settings import Settings

CLUSTER_ENV = {
    "BAHTH_ENGINE": "opensearch",
    "BAHTH_OPENSEARCH_URL": "https://node1.example:9200, https://node2.example:9200",
    "BAHTH_OPENSEARCH_INDEX": "akhbar",
    "BAHTH_OPENSEARCH_SHARDS": "4",
    "BAHTH_OPENSEARCH_REPLICAS": "2",
    "BAHTH_OPENSEARCH_USER": "bahth",
    "BAHTH_OPENSEARCH_PASSWORD": "kalimat-sirr",
    "BAHTH_OPENSEARCH_VERIFY_TLS": "off",
    "BAHTH_OPENSEARCH_CA_CERTS": "/etc/ssl/bahth-ca.pem",
}


def test_opensearch_settings_come_from_the_environment():
    settings = Settings.from_env(CLUSTER_ENV)
    assert settings.opensearch_urls == ("https://node1.example:9200", "https://node2.example:9200")
    assert (
        settings.opensearch_index,
        settings.opensearch_shards,
        settings.opensearch_replicas,
    ) == ("akhbar", 4, 2)
    assert (settings.opensearch_user, settings.opensearch_password) == ("bahth", "kalimat-sirr")
    assert settings.opensearch_verify_tls is False
    assert settings.opensearch_ca_certs == Path("/etc/ssl/bahth-ca.pem")


def test_defaults_verify_tls_and_flags_win_over_the_environment():
    assert Settings().opensearch_verify_tls is True
    assert Settings().opensearch_urls == ("http://127.0.0.1:9200",)
    settings = Settings.from_env(
        CLUSTER_ENV, opensearch_url="http://127.0.0.1:9201", opensearch_index=None
    )
    assert (settings.opensearch_url, settings.opensearch_index) == (
        "http://127.0.0.1:9201",
        "akhbar",
    )


def test_the_environment_given_to_workers_gives_the_same_settings():
    settings = Settings.from_env(CLUSTER_ENV, index_dir=Path("/srv/bahth/index"))
    assert Settings.from_env(settings.to_env()) == settings


def test_the_password_is_never_printed():
    settings = Settings.from_env(CLUSTER_ENV)
    assert "kalimat-sirr" not in repr(settings) and "kalimat-sirr" not in str(settings)
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"BAHTH_OPENSEARCH_URL": "ftp://bahth:kalimat-sirr@node1.example"})
    assert "kalimat-sirr" not in caught.value.message
    assert caught.value.message == (
        "BAHTH_OPENSEARCH_URL: ftp://node1.example is not http(s)://host[:port]"
    )


@pytest.mark.parametrize(
    "name, value, says",
    [
        ("BAHTH_OPENSEARCH_SHARDS", "two", "BAHTH_OPENSEARCH_SHARDS='two': invalid literal"),
        ("BAHTH_OPENSEARCH_SHARDS", "0", "BAHTH_OPENSEARCH_SHARDS=0: must be 1 or more"),
        ("BAHTH_OPENSEARCH_REPLICAS", "-1", "BAHTH_OPENSEARCH_REPLICAS=-1: must be 0 or more"),
        ("BAHTH_OPENSEARCH_INDEX", "Akhbar", "BAHTH_OPENSEARCH_INDEX='Akhbar': use lower-case"),
        ("BAHTH_OPENSEARCH_INDEX", "_all", "BAHTH_OPENSEARCH_INDEX='_all': use lower-case"),
        ("BAHTH_OPENSEARCH_URL", "node1:9200", "BAHTH_OPENSEARCH_URL: node1:9200 is not"),
        (
            "BAHTH_OPENSEARCH_URL",
            "http://node1:92000",
            "BAHTH_OPENSEARCH_URL: http://node1:92000: Port",
        ),
        (
            "BAHTH_OPENSEARCH_VERIFY_TLS",
            "maybe",
            "BAHTH_OPENSEARCH_VERIFY_TLS='maybe': not a yes/no",
        ),
        ("BAHTH_OPENSEARCH_PASSWORD", "kalimat-sirr", "BAHTH_OPENSEARCH_PASSWORD is set without"),
    ],
)
def test_bad_values_name_the_variable(name, value, says):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({name: value})
    assert caught.value.message.startswith(says)


def test_a_bad_flag_value_is_one_line_and_exit_1(capsys, tmp_path):
    code = main(["search", "سوريا", "--index", str(tmp_path), "--opensearch-url", "node1:9200"])
    err = capsys.readouterr().err
    assert (code, err) == (
        1,
        "bahth: BAHTH_OPENSEARCH_URL: node1:9200 is not http(s)://host[:port]\n",
    )


def test_a_missing_ca_bundle_is_one_line_and_exit_1(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BAHTH_OPENSEARCH_CA_CERTS", str(tmp_path / "missing-ca.pem"))
    code = main(
        [
            "reindex",
            "--index",
            str(tmp_path / "index"),
            "--engine",
            "opensearch",
            "--opensearch-url",
            "https://node1.example:9200",
        ]
    )
    err = capsys.readouterr().err
    assert (code, err) == (
        1,
        f"bahth: BAHTH_OPENSEARCH_CA_CERTS: no file {tmp_path}/missing-ca.pem\n",
    )
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_the_synonyms_flag_wins_and_a_missing_file_is_one_line_and_exit_1(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.setenv("BAHTH_SYNONYMS", str(tmp_path / "news.txt"))
    assert Settings.from_env().synonyms == tmp_path / "news.txt"
    code = main(
        ["reindex", "--index", str(tmp_path / "index"), "--synonyms", str(tmp_path / "missing.txt")]
    )
    err = capsys.readouterr().err
    assert (code, err) == (1, f"bahth: BAHTH_SYNONYMS: no file {tmp_path}/missing.txt\n")
    assert not (tmp_path / "index" / "CURRENT").exists()
