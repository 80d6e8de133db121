using System.Net;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using PipelineSdk.Server.Security;
using PipelineSdk.Server.Tests.Fixtures;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Tests;

/// <summary><c>GET /api/v1/artifacts/{id}/table</c>: a page of a Parquet artifact's rows, across row groups; anything else refused in one line.</summary>
public sealed class ArtifactTableTests
{
    [Test]
    public async Task A_page_spans_row_groups_and_shows_nulls_and_other_files_are_refused()
    {
        var served = Path.Combine(Path.GetTempPath(), "psdk-table", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(served);
        await using var server = await TestServer.StartAsync(artifactRoots: [served]);
        var table = Path.Combine(served, "cities.parquet");
        await WriteCities(table, groups: 3, rowsPerGroup: 10);
        var text = Path.Combine(served, "notes.txt");
        await File.WriteAllTextAsync(text, "PAR1 but not Parquet");

        using var client = server.Client();
        client.CreateRun("r1", "p", DateTimeOffset.UtcNow, "{}", "local");
        var step = client.StartStepRun("r1", "t", "s", DateTimeOffset.UtcNow, null, null);
        var outputs = client.FinishStepRun(step, StepStatus.Completed, DateTimeOffset.UtcNow, null, [],
        [
            new NewArtifact("table", new Uri(table).AbsoluteUri, "system.Dataset", "Dataset", new FileInfo(table).Length, "h1"),
            new NewArtifact("text", new Uri(text).AbsoluteUri, "system.Dataset", "Dataset", 20, "h2"),
        ]);
        using var http = server.Http(server.Token(TokenRole.Read));

        using var page = JsonDocument.Parse(await http.GetStringAsync($"api/v1/artifacts/{outputs["table"].Id}/table?offset=5&limit=20"));
        Assert.That(page.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "id", "city" }));
        Assert.That(page.RootElement.GetProperty("total").GetInt64(), Is.EqualTo(30));
        var rows = page.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Null ? null : c.GetString()).ToArray()).ToList();
        Assert.That(rows.Select(r => r[0]), Is.EqualTo(Enumerable.Range(6, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))), "rows 6 to 25, from three row groups");
        Assert.That(rows.Single(r => r[0] == "7")[1], Is.Null, "a null stays null");
        Assert.That(rows.Single(r => r[0] == "8")[1], Is.EqualTo("city-8"));

        using var refused = await http.GetAsync($"api/v1/artifacts/{outputs["text"].Id}/table");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain($"artifact {outputs["text"].Id} is not a Parquet file this server can read"));
        using var missing = await http.GetAsync("api/v1/artifacts/9999/table");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    // Every seventh city is unknown (null).
    private static async Task WriteCities(string path, int groups, int rowsPerGroup)
    {
        var id = new DataField<int>("id");
        var city = new DataField<string>("city");
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, city), file);
        for (var group = 0; group < groups; group++)
        {
            var numbers = Enumerable.Range(group * rowsPerGroup + 1, rowsPerGroup).ToArray();
            using var rows = writer.CreateRowGroup();
            await rows.WriteAsync(id, new ReadOnlyMemory<int>(numbers));
            await rows.WriteAsync(city, numbers.Select(i => i % 7 == 0 ? null : $"city-{i}").ToArray());
        }
    }
}
