"""The library's index in a real browser: Debian's headless Chromium driven by
Selenium through Debian's chromedriver (nothing downloaded: the driver's path
is given, Selenium Manager is kept offline). From ``file://`` and from
``zinepress serve``: every title shown, no script error, and the search — from
``?q=`` in the address or typed — shows exactly the texts that match."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from library_support import Server, build_library  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Words of titles, authors and topics in the three scripts; what each must show is
# worked out from the sources' headers, not written here.
QUERIES = ["lenin", "KROPOTKIN", "анарх", "辩证法", "socialism kropotkin", "no such text anywhere"]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return build_library(tmp_path_factory.mktemp("library"))


def chromium(tmp: Path, javascript: bool = True):
    if not Path(CHROMEDRIVER).is_file():
        pytest.fail("chromedriver is missing: scripts/setup.sh installs Debian's chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={tmp}", "--window-size=1000,1400"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    # Selenium must not look for (or download) a browser or driver of its own.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")
        env.setenv("SE_AVOID_BROWSER_DOWNLOAD", "true")
        driver = chromium(tmp_path_factory.mktemp("chromium"))
        yield driver
        driver.quit()


@pytest.fixture(scope="module")
def server(library):
    running = Server(library.out)
    yield running
    running.stop()


def shown_titles(driver) -> list[str]:
    return sorted(el.text for el in driver.find_elements(By.CSS_SELECTOR, "#texts .title") if el.is_displayed())


def errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def open_index(driver, address: str) -> None:
    driver.get(address)
    # The script shows the search form once it has run over the list.
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "filters").is_displayed())


def index_addresses(library, server) -> list[str]:
    return [(library.out / "index.html").as_uri(), server.url]


@pytest.mark.parametrize("where", ["file", "served"])
def test_the_index_shows_every_title_without_script_errors(library, server, browser, where):
    address = index_addresses(library, server)[where == "served"]
    open_index(browser, address)
    assert shown_titles(browser) == sorted(t.title for t in library.texts)
    assert errors(browser) == []
    images = browser.execute_script(
        "return Array.prototype.map.call(document.images, function (i) { i.loading = 'eager'; return i.src; })")
    assert len(images) == len(library.texts)


@pytest.mark.parametrize("where", ["file", "served"])
@pytest.mark.parametrize("query", QUERIES)
def test_the_query_in_the_address_shows_only_the_matching_texts(library, server, browser, where, query):
    address = index_addresses(library, server)[where == "served"]
    open_index(browser, f"{address}?q={quote(query)}")
    expected = sorted(t.title for t in library.texts if t.matches(query))
    assert shown_titles(browser) == expected
    assert browser.find_element(By.ID, "q").get_attribute("value") == query
    assert browser.find_element(By.ID, "none").is_displayed() == (not expected)
    assert errors(browser) == []


def test_typing_filters_as_you_type_and_keeps_the_query_in_the_address(library, server, browser):
    open_index(browser, server.url)
    box = browser.find_element(By.ID, "q")
    box.send_keys("kropotkin")
    expected = sorted(t.title for t in library.texts if t.matches("kropotkin"))
    assert expected and len(expected) < len(library.texts)
    WebDriverWait(browser, 30).until(lambda d: shown_titles(d) == expected)
    WebDriverWait(browser, 30).until(lambda d: "q=kropotkin" in d.current_url)
    # The address can be shared: opened again, it shows the same texts.
    browser.get(browser.current_url)
    WebDriverWait(browser, 30).until(lambda d: shown_titles(d) == expected)
    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys(" ")
    WebDriverWait(browser, 30).until(lambda d: len(shown_titles(d)) == len(library.texts))
    assert errors(browser) == []


def test_filters_and_sorting(library, server, browser):
    from selenium.webdriver.support.ui import Select

    open_index(browser, f"{server.url}?lang=zh")
    assert shown_titles(browser) == sorted(t.title for t in library.texts if t.folder == "zh")
    Select(browser.find_element(By.ID, "lang")).select_by_value("")
    Select(browser.find_element(By.ID, "sort")).select_by_value("-date")
    dates = [el.text for el in browser.find_elements(By.CSS_SELECTOR, "#texts time")]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 2
    assert "sort=-date" in browser.current_url
    assert errors(browser) == []


def test_without_javascript_every_text_is_listed(library, tmp_path):
    driver = chromium(tmp_path / "profile", javascript=False)
    try:
        driver.get((library.out / "index.html").as_uri() + "?q=lenin")
        assert shown_titles(driver) == sorted(t.title for t in library.texts)
        assert not driver.find_element(By.ID, "filters").is_displayed()
        driver.find_element(By.LINK_TEXT, "Authors").click()
        assert all(t.title in driver.page_source for t in library.texts)
    finally:
        driver.quit()
