package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import mmn.report.HtmlReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The HTML report in a real browser: Debian's headless Chromium driven by Selenium
 * through Debian's chromedriver (never a downloaded one: Selenium Manager is bypassed).
 * .ci/run installs both when missing; outside CI, a machine without them skips this
 * test and says why. Screenshots go to tests/target/.
 */
class ReportBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path OUT = Path.of("target", "report-browser").toAbsolutePath();
    static ChromeDriver browser;
    static Path userData;

    @BeforeAll
    static void startChromium() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && System.getenv("CI") == null)
            Assumptions.abort("headless Chromium not installed (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): apt-get install chromium chromium-driver, or run .ci/run, to run the report's browser test");
        assertTrue(present, "CI must have " + CHROMIUM + " and " + CHROMEDRIVER + " (.ci/run installs them)");
        Files.createDirectories(OUT);
        userData = Files.createTempDirectory("mmn-chromium-");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + userData, "--window-size=1400,1000");
        ChromeDriverService svc = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(svc, o);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopChromium() throws Exception {
        if (browser != null) browser.quit();
        if (userData != null) {
            try (var walk = Files.walk(userData)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theViolatingAccessIsDrawnHighlightedAndAHookShowsItsCallSite() throws Exception {
        Path html = OUT.resolve("bug-start-only-unexpected.html");
        // the script as a person names it, relative to where mmn runs (the picture shows it)
        Path script = Path.of("").toAbsolutePath().relativize(Run.SCRIPTS.resolve("claims/bug-start-only-unexpected.mmn"));
        assertEquals(1, ReportsTest.mmn("-q", "--report", html.toString(), "run", script.toString()).code());
        browser.get(html.toUri().toString());

        // the gpu's read that refilled the stale entry: drawn, and highlighted (red, thick)
        WebElement access = browser.findElement(By.cssSelector("g.ev-violating"));
        assertEquals("gpu read 0x400000: OK pfn 6 (walk)", access.getAttribute("data-text"));
        WebElement mark = access.findElement(By.cssSelector(".mark"));
        assertEquals("rgb(211, 47, 47)", mark.getCssValue("stroke"));
        assertEquals("3px", mark.getCssValue("stroke-width"));
        assertTrue(mark.getSize().getWidth() > 0 && mark.isDisplayed());
        // the free of that frame, and the violation
        assertEquals(1, browser.findElements(By.cssSelector("g.ev-freed")).size());
        assertEquals("rgb(211, 47, 47)", browser.findElement(By.cssSelector("g.ev-violation .mark")).getCssValue("fill"));

        // hovering a hook shows its kernel call site
        WebElement tip = browser.findElement(By.id("tip"));
        assertTrue(!tip.isDisplayed());
        WebElement hook = browser.findElement(By.cssSelector("g.kind-hook"));
        new Actions(browser).moveToElement(hook.findElement(By.cssSelector(".mark"))).perform();
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(d -> tip.isDisplayed());
        assertTrue(tip.getText().contains("invalidate_range_start [0x400000, 0x401000)"), tip.getText());
        assertTrue(tip.getText().contains("call site: unmap_vmas:invalidate_range_start — mm/memory.c unmap_vmas -> mmu_notifier_invalidate_range_start"),
                tip.getText());
        // moving off the diagram hides it again
        new Actions(browser).moveToElement(browser.findElement(By.tagName("h1"))).perform();
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(d -> !tip.isDisplayed());

        // the picture: the finding with a hovered hook, its call site shown (README shows a copy of it)
        List<WebElement> hooks = browser.findElements(By.cssSelector("g.kind-hook"));
        new Actions(browser).moveToElement(hooks.get(1).findElement(By.cssSelector(".mark"))).perform();
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(d -> tip.isDisplayed());
        File shot = browser.findElement(By.cssSelector("section.finding")).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), OUT.resolve("report-finding.png"), StandardCopyOption.REPLACE_EXISTING);
        File page = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(page.toPath(), OUT.resolve("report-page.png"), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(OUT.resolve("report-finding.png")) > 10_000);
    }

    @Test
    void tenThousandEventsLoadInUnderTwoSeconds() throws Exception {
        Path html = OUT.resolve("big.html");
        Files.writeString(html, HtmlReport.html(ReportsTest.bigTrace(10_000)));
        // the browser's own clock: from the start of the response to the end of the load event (parse,
        // style, layout of the SVG); the best of three loads, as the machine runs other builds
        long ms = Long.MAX_VALUE;
        List<Long> all = new java.util.ArrayList<>();
        for (int i = 0; i < 3 && ms >= 2000; i++) {
            browser.get(html.toUri().toString() + "?load=" + i);
            long one = ((Number) ((JavascriptExecutor) browser).executeScript(
                    "var t=performance.getEntriesByType('navigation')[0];return t.loadEventEnd-t.responseStart;")).longValue();
            all.add(one);
            ms = Math.min(ms, one);
        }
        assertTrue(ms < 2000, "10,000 events took at best " + ms + " ms to load " + all);
        List<WebElement> collapsed = browser.findElements(By.cssSelector("details.stmt:not([open])"));
        assertEquals(499, collapsed.size());
        assertTrue(browser.findElement(By.cssSelector("g.ev-violation")).isDisplayed());
        System.out.println("ReportBrowserTest: 10,000-event report loaded in " + ms + " ms (best of " + all + ")");
    }
}
