using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace PipelineSdk.Build;

/// <summary>Reads the <c>[assembly: PipelineSpec(name, json)]</c> attributes of a compiled assembly from its metadata alone.</summary>
public static class PipelineSpecReader
{
    private const string AttributeNamespace = "PipelineSdk";
    private const string AttributeName = "PipelineSpecAttribute";

    /// <summary>The (pipeline name, spec JSON) pairs recorded in an assembly's metadata.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ReadSpecs(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var specs = new List<KeyValuePair<string, string>>();
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (!IsSpecAttribute(reader, attribute.Constructor))
            {
                continue;
            }

            var blob = reader.GetBlobReader(attribute.Value);
            if (blob.ReadUInt16() != 1)
            {
                throw new InvalidOperationException("a PipelineSpec attribute has an unknown blob format");
            }

            var name = blob.ReadSerializedString() ?? throw new InvalidOperationException("a PipelineSpec attribute has no name");
            var json = blob.ReadSerializedString() ?? throw new InvalidOperationException($"pipeline '{name}' has no spec");
            specs.Add(new KeyValuePair<string, string>(name, json));
        }

        return specs;
    }

    private static bool IsSpecAttribute(MetadataReader reader, EntityHandle constructor)
    {
        EntityHandle type;
        switch (constructor.Kind)
        {
            case HandleKind.MemberReference:
                type = reader.GetMemberReference((MemberReferenceHandle)constructor).Parent;
                break;
            case HandleKind.MethodDefinition:
                type = reader.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType();
                break;
            default:
                return false;
        }

        return type.Kind switch
        {
            HandleKind.TypeReference => Is(reader, reader.GetTypeReference((TypeReferenceHandle)type).Namespace, reader.GetTypeReference((TypeReferenceHandle)type).Name),
            HandleKind.TypeDefinition => Is(reader, reader.GetTypeDefinition((TypeDefinitionHandle)type).Namespace, reader.GetTypeDefinition((TypeDefinitionHandle)type).Name),
            _ => false,
        };
    }

    private static bool Is(MetadataReader reader, StringHandle ns, StringHandle name) =>
        reader.StringComparer.Equals(ns, AttributeNamespace) && reader.StringComparer.Equals(name, AttributeName);
}
