using PipelineSdk.Kubeflow.Api;
using PipelineSdk.Stacks;

namespace PipelineSdk.Kubeflow.Tests;

/// <summary>What the API client does with its settings before any request: a bad host and secret values.</summary>
public class KfpClientTests
{
    [TestCase("localhost:8080")]
    [TestCase("ftp://kfp.example.com")]
    [TestCase("")]
    public void A_host_that_is_not_an_http_URL_is_one_line_naming_the_setting(string host)
    {
        var error = Assert.Throws<StackException>(() => new KfpClient(host, new KfpCredentials()))!;

        Assert.That(error.Message, Does.Contain("host").And.Contain("--host=http://localhost:8080").And.Not.Contain("\n"));
    }

    [Test]
    public void Credentials_never_print_their_secret_values()
    {
        var credentials = new KfpCredentials(Token: "s3cr3t-token", Cookie: "authservice_session=s3cr3t-cookie");

        Assert.That(credentials.ToString(), Does.Not.Contain("s3cr3t").And.Contain("Token = set").And.Contain("Cookie = set"));
        Assert.That($"{credentials with { TokenFile = "/var/run/token" }}", Does.Not.Contain("s3cr3t").And.Contain("/var/run/token"));
    }
}
