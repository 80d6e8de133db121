using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>Nothing shows without a token; the sign-in form, the cookie, CSRF on writes, and the one-time link of `pipelines dashboard`.</summary>
public sealed partial class SignInTests
{
    [Test]
    public async Task Without_signing_in_the_dashboard_shows_only_the_sign_in_form_and_the_api_refuses()
    {
        var page = await DashboardSite.NewPageAsync();
        await page.GotoAsync("/#/runs");

        await page.WaitForSelectorAsync("form.login");
        Assert.That(await page.Locator("table.grid").CountAsync(), Is.Zero, "no runs are shown to a stranger");
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/api/v1/runs')).status");
        Assert.That(status, Is.EqualTo(401));

        await page.FillAsync("#token", "psdk_0000_not-a-token");
        await page.ClickAsync("form.login button[type=submit]");
        await Assertions.Expect(page.Locator("form.login .error")).ToContainTextAsync("not known to this server");
        await DashboardSite.ScreenshotAsync(page, "sign-in");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task Signing_in_keeps_the_token_in_an_HttpOnly_strict_cookie_and_writes_need_the_csrf_header()
    {
        var page = await DashboardSite.SignedInPageAsync();

        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "psdk_session");
        Assert.That(cookie.HttpOnly, Is.True);
        Assert.That(cookie.SameSite, Is.EqualTo(SameSiteAttribute.Strict));
        Assert.That(cookie.Value, Does.Not.Contain(DashboardSite.ReadToken), "the cookie holds a session id, not the token");
        Assert.That(await page.EvaluateAsync<string>("() => document.cookie"), Does.Not.Contain("psdk_session"), "scripts cannot read it");

        var withoutHeader = await page.EvaluateAsync<int>("async () => (await fetch('/api/v1/schedules/nightly', { method: 'DELETE' })).status");
        Assert.That(withoutHeader, Is.EqualTo(403), "a cookie alone cannot write");
        var session = await page.EvaluateAsync<string>("async () => (await (await fetch('/api/v1/session')).json()).csrf");
        var withHeader = await page.EvaluateAsync<int>("async (csrf) => (await fetch('/api/v1/schedules/nightly', { method: 'DELETE', headers: { 'X-PipelineSdk-Csrf': csrf } })).status", session);
        Assert.That(withHeader, Is.EqualTo(403), "with the header the session's own role decides: a read token may not delete");
        var refusal = await page.EvaluateAsync<string>("async (csrf) => (await (await fetch('/api/v1/schedules/nightly', { method: 'DELETE', headers: { 'X-PipelineSdk-Csrf': csrf } })).json()).detail", session);
        Assert.That(refusal, Does.Contain("may only read"));

        await page.ClickAsync("#who button");
        await page.WaitForSelectorAsync("form.login");
        Assert.That(await page.EvaluateAsync<int>("async () => (await fetch('/api/v1/runs')).status"), Is.EqualTo(401), "signed out");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task Pipelines_dashboard_prints_a_link_that_signs_a_browser_in_once()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[DashboardSite.Metadata("CliDll"), "dashboard", "--no-browser", "--store", DashboardSite.StoreDirectory])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in DashboardSite.Environment())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        try
        {
            string? link = null;
            while (link is null)
            {
                var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(30));
                if (line is null)
                {
                    Assert.Fail($"pipelines dashboard stopped: {await process.StandardError.ReadToEndAsync()}");
                }

                link = LoginLink().Match(line!) is { Success: true } match ? match.Value : null;
            }

            Assert.That(link, Does.StartWith("http://127.0.0.1:"));
            var page = await DashboardSite.NewPageAsync();
            await page.GotoAsync(link);
            await page.WaitForSelectorAsync("table.grid tbody tr");
            Assert.That(await page.Locator("#who").TextContentAsync(), Does.Contain("dashboard"));
            Assert.That(page.Url, Does.Not.Contain("code="), "the code leaves the address bar");

            var again = await DashboardSite.NewPageAsync();
            await again.GotoAsync(link);
            await Assertions.Expect(again.Locator("form.login .error")).ToContainTextAsync("used already");
            await page.Context.CloseAsync();
            await again.Context.CloseAsync();
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Test]
    public async Task Api_bearer_tokens_keep_working_beside_the_dashboard()
    {
        using var http = new HttpClient { BaseAddress = new Uri(DashboardSite.Server.Url) };
        using var anonymous = await http.GetAsync("/api/v1/run-summaries");
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DashboardSite.ReadToken);
        using var summaries = await http.GetAsync("/api/v1/run-summaries");
        Assert.That(summaries.StatusCode, Is.EqualTo(HttpStatusCode.OK), await summaries.Content.ReadAsStringAsync());
        Assert.That(await summaries.Content.ReadAsStringAsync(), Does.Contain(DashboardSite.Made.Completed));
    }

    [GeneratedRegex(@"http://\S+/login\?code=[0-9a-f]+")]
    private static partial Regex LoginLink();
}
