using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Tests;

/// <summary>The fake Vertex AI refuses what the service refuses, so our client cannot pass against it by being lax.</summary>
public class FakeVertexStrictnessTests
{
    [TestCase("0 3 * * *", true)]
    [TestCase("TZ=Europe/Berlin */15 0-23 1,15,31 1-12 0-7", true)]
    [TestCase("60 3 * * *", false)]
    [TestCase("0 24 * * *", false)]
    [TestCase("0 3 0 * *", false)]
    [TestCase("0 3 32 * *", false)]
    [TestCase("0 3 * 13 *", false)]
    [TestCase("0 3 * * 8", false)]
    [TestCase("*/0 3 * * *", false)]
    [TestCase("0 3 * 0-12 *", false)]
    public void Cron_numbers_must_be_in_their_fields_ranges(string cron, bool accepted) =>
        Assert.That(FakeVertex.CronFieldsInRange(cron), Is.EqualTo(accepted));

    [Test]
    public async Task A_schedule_with_an_hour_out_of_range_is_refused()
    {
        var directory = Directory.CreateTempSubdirectory("psdk-strict-").FullName;
        await using var google = await FakeGoogle.StartAsync();
        await using var vertex = await FakeVertex.StartAsync(google, directory, Path.Combine(directory, "gcs"));
        var client = new VertexClient("my-project", "europe-west1", google.Auth(directory), new HttpClient { BaseAddress = new Uri(vertex.BaseUrl) });

        Assert.That(() => client.CreateScheduleAsync(new Schedule { DisplayName = "nightly", Cron = "0 25 * * *" }, CancellationToken.None),
            Throws.InstanceOf<StackException>().With.Message.Contains("Invalid cron expression"));
        Assert.That(vertex.Schedules, Is.Empty);
        Directory.Delete(directory, recursive: true);
    }

    [Test]
    public async Task Metadata_contexts_are_refused_where_the_service_refuses_them()
    {
        var directory = Directory.CreateTempSubdirectory("psdk-strict-").FullName;
        await using var google = await FakeGoogle.StartAsync();
        await using var vertex = await FakeVertex.StartAsync(google, directory, Path.Combine(directory, "gcs"));
        using var http = new HttpClient { BaseAddress = new Uri(vertex.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await google.Auth(directory).GetAccessTokenAsync(CancellationToken.None));
        const string contexts = "v1/projects/p/locations/l/metadataStores/default/contexts";
        async Task<int> Post(string path, string body)
        {
            using var response = await http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            return (int)response.StatusCode;
        }

        Assert.That(await Post(contexts + "?contextId=Churn", """{"schemaTitle":"system.Experiment"}"""), Is.EqualTo(400), "an id with capitals");
        Assert.That(await Post(contexts + "?contextId=churn", """{"displayName":"churn"}"""), Is.EqualTo(400), "no schema");
        Assert.That(await Post(contexts + "?contextId=churn", """{"schemaTitle":"system.Unknown"}"""), Is.EqualTo(400), "an unknown system schema");
        Assert.That(await Post("v1/projects/p/locations/l/metadataStores/other/contexts?contextId=churn", """{"schemaTitle":"system.Experiment"}"""), Is.EqualTo(404), "a store that does not exist");
        Assert.That(await Post(contexts + "?contextId=churn", """{"schemaTitle":"system.Experiment"}"""), Is.EqualTo(200));
        Assert.That(await Post(contexts + "?contextId=churn", """{"schemaTitle":"system.Experiment"}"""), Is.EqualTo(409), "it exists");
        Assert.That(await Post(contexts + "/churn:addContextChildren", """{"childContexts":["projects/p/locations/l/metadataStores/default/contexts/nope"]}"""), Is.EqualTo(404), "a child that does not exist");
        Assert.That(await Post(contexts + "/missing:addContextChildren", """{"childContexts":[]}"""), Is.EqualTo(404), "a parent that does not exist");
        Assert.That(await Post(contexts + "/churn:addContextChildren", """{"children":["x"]}"""), Is.EqualTo(400), "a field the request does not have");
        Assert.That(vertex.ChildrenOf("projects/p/locations/l/metadataStores/default/contexts/churn"), Is.Empty);
        Directory.Delete(directory, recursive: true);
    }

    [Test]
    public async Task An_injected_fault_does_not_hide_a_missing_token()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var vertex = await FakeVertex.StartAsync(google, Path.GetTempPath(), Path.GetTempPath());
        vertex.FailNext(1, 503);
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(new Uri(vertex.BaseUrl), "v1/projects/p/locations/l/pipelineJobs/j"));

        Assert.That((int)response.StatusCode, Is.EqualTo(401), "checked before the fault, as Google checks the token first");
    }
}
