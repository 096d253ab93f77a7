using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace MmapTools.Commands;

/// <summary>Completes -Encoding with the names TextEncoding knows.</summary>
public sealed class EncodingCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        foreach (string name in TextEncoding.Names)
        {
            if (name.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            {
                yield return new CompletionResult(name);
            }
        }
    }
}
