using HandlebarsDotNet.PathStructure;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// Finds the mustache tags of a template and checks every variable they name against
/// <see cref="TemplateVariables"/>, in the scope Handlebars resolves it in. Handlebars.Net compiles
/// and renders the templates; its parse tree is internal, so this reads the tags (comments, escaped
/// <c>\{{</c>, triple-stash, whitespace control) and leaves path parsing to the library's
/// <see cref="PathInfo"/>. It runs after the library has accepted the syntax, and refuses what
/// would compile but render wrong: unknown variables, helpers that do not exist, partials, and a
/// root variable inside <c>{{#each}}</c>, which Handlebars looks up on the item and prints empty.
/// </summary>
internal static class TemplateSyntax
{
    internal enum TagKind
    {
        Comment,
        Escaped,
        Output,
        RawOutput,
        Open,
        Close,
        Else,
        Inverse,
        Partial,
        Decorator,
    }

    /// <summary>A tag from <paramref name="Start"/> (its <c>{{</c>, or the backslash escaping it) to <paramref name="End"/> (after its <c>}}</c>).</summary>
    /// <param name="Body">The expression inside, without sigil, whitespace control or surrounding spaces.</param>
    internal sealed record Tag(TagKind Kind, int Start, int End, string Body)
    {
        /// <summary>Tags that shape the output (blocks, else, comments) rather than print a value.</summary>
        public bool IsStructural => Kind is TagKind.Open or TagKind.Close or TagKind.Else or TagKind.Inverse or TagKind.Decorator;
    }

    /// <param name="Structure">About how blocks and tags open and close, rather than what they name.</param>
    internal sealed record Problem(string Message, int Index, bool Structure = false);

    private enum NodeKind
    {
        Root,
        Group,
        Leaf,
        List,
        Item,
        ItemField,
        LoopData,
    }

    private sealed record Node(NodeKind Kind, string Name, TemplateVariable? List = null);

    private sealed class Block(string helper, int start, Node? context)
    {
        public string Helper { get; } = helper;
        public int Start { get; } = start;
        public Node? Context { get; } = context;
        public bool InElse { get; set; }
    }

    private static readonly Node Root = new(NodeKind.Root, "");

    /// <summary>The tags in source order. A tag that is never closed ends the scan with a problem.</summary>
    public static List<Tag> Tags(string source, List<Problem>? problems = null)
    {
        var tags = new List<Tag>();
        var i = 0;
        while (i < source.Length)
        {
            var open = source.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                break;
            }
            if (open > 0 && source[open - 1] == '\\' && !(open > 1 && source[open - 2] == '\\'))
            {
                var escapedEnd = source.IndexOf("}}", open + 2, StringComparison.Ordinal);
                var end = escapedEnd < 0 ? source.Length : escapedEnd + 2;
                tags.Add(new Tag(TagKind.Escaped, open - 1, end, ""));
                i = end;
                continue;
            }
            var p = open + 2;
            if (At(source, p, "~"))
            {
                p++;
            }
            int bodyStart, bodyEnd, tagEnd;
            var kind = TagKind.Output;
            if (At(source, p, "!--"))
            {
                bodyStart = p + 3;
                var close = source.IndexOf("--", bodyStart, StringComparison.Ordinal);
                while (close >= 0 && !At(source, close + 2, "}}") && !At(source, close + 2, "~}}"))
                {
                    close = source.IndexOf("--", close + 1, StringComparison.Ordinal);
                }
                if (close < 0)
                {
                    problems?.Add(new Problem("a {{!-- comment is never closed with --}}", open, Structure: true));
                    break;
                }
                bodyEnd = close;
                tagEnd = close + (At(source, close + 2, "~") ? 5 : 4);
                kind = TagKind.Comment;
            }
            else if (At(source, p, "{"))
            {
                bodyStart = p + 1;
                var close = source.IndexOf('}', bodyStart);
                while (close >= 0 && !At(source, close, "}}}") && !At(source, close, "}~}}"))
                {
                    close = source.IndexOf('}', close + 1);
                }
                if (close < 0)
                {
                    problems?.Add(new Problem("a {{{ is never closed with }}}", open, Structure: true));
                    break;
                }
                bodyEnd = close;
                tagEnd = close + (At(source, close, "}~}}") ? 4 : 3);
                kind = TagKind.RawOutput;
            }
            else
            {
                bodyStart = p;
                var close = source.IndexOf("}}", bodyStart, StringComparison.Ordinal);
                if (close < 0)
                {
                    problems?.Add(new Problem("a {{ is never closed with }}", open, Structure: true));
                    break;
                }
                bodyEnd = close > bodyStart && source[close - 1] == '~' ? close - 1 : close;
                tagEnd = close + 2;
            }
            var body = source[bodyStart..Math.Max(bodyStart, bodyEnd)].Trim();
            if (kind == TagKind.Output)
            {
                (kind, body) = Classify(body);
            }
            tags.Add(new Tag(kind, open, tagEnd, body));
            i = tagEnd;
        }
        return tags;
    }

    private static (TagKind, string) Classify(string body)
    {
        if (body.Length == 0)
        {
            return (TagKind.Output, body);
        }
        var rest = body[1..].Trim();
        return body[0] switch
        {
            '!' => (TagKind.Comment, rest),
            '#' when rest.StartsWith('>') => (TagKind.Partial, rest),
            '#' when rest.StartsWith('*') => (TagKind.Decorator, rest),
            '#' => (TagKind.Open, rest),
            '/' => (TagKind.Close, rest),
            '^' => (TagKind.Inverse, rest),
            '>' => (TagKind.Partial, rest),
            '*' => (TagKind.Decorator, rest),
            '&' => (TagKind.RawOutput, rest),
            _ when body == "else" => (TagKind.Else, ""),
            _ when body.StartsWith("else ", StringComparison.Ordinal) || body.StartsWith("else\t", StringComparison.Ordinal) || body.StartsWith("else\n", StringComparison.Ordinal) =>
                (TagKind.Else, body[4..].Trim()),
            _ => (TagKind.Output, body),
        };
    }

    /// <summary>
    /// Everything wrong with the template's tags, each at the index of the tag at fault. With
    /// <paramref name="html"/>, output that would not be HTML-escaped is refused too.
    /// </summary>
    public static List<Problem> Check(string source, bool html)
    {
        var problems = new List<Problem>();
        var blocks = new List<Block>();
        foreach (var tag in Tags(source, problems))
        {
            switch (tag.Kind)
            {
                case TagKind.Comment or TagKind.Escaped:
                    break;
                case TagKind.Partial:
                    problems.Add(new Problem("partials ({{> …}}) are not supported", tag.Start));
                    break;
                case TagKind.Decorator:
                    problems.Add(new Problem("decorators ({{* …}}) are not supported", tag.Start));
                    break;
                case TagKind.Inverse:
                    problems.Add(new Problem("{{^…}} is not supported; use {{#unless …}} or {{else}}", tag.Start));
                    break;
                case TagKind.RawOutput:
                    if (html)
                    {
                        problems.Add(new Problem("{{{…}}} writes a value without HTML escaping; use {{…}} in the HTML body", tag.Start));
                    }
                    CheckOutput(tag, blocks, problems);
                    break;
                case TagKind.Output:
                    CheckOutput(tag, blocks, problems);
                    break;
                case TagKind.Open:
                    blocks.Add(Open(tag, blocks, problems));
                    break;
                case TagKind.Else:
                    Else(tag, blocks, problems);
                    break;
                case TagKind.Close:
                    if (blocks.Count == 0 || blocks[^1].Helper != tag.Body)
                    {
                        problems.Add(new Problem($"{{{{/{tag.Body}}}}} closes no open {{{{#{tag.Body}}}}}", tag.Start, Structure: true));
                    }
                    else
                    {
                        blocks.RemoveAt(blocks.Count - 1);
                    }
                    break;
            }
        }
        foreach (var block in blocks)
        {
            problems.Add(new Problem($"{{{{#{block.Helper}}}}} is never closed with {{{{/{block.Helper}}}}}", block.Start, Structure: true));
        }
        return problems;
    }

    private static void CheckOutput(Tag tag, List<Block> blocks, List<Problem> problems)
    {
        var tokens = Tokenize(tag, problems);
        if (tokens is null)
        {
            return;
        }
        if (tokens.Count == 0)
        {
            problems.Add(new Problem("{{}} names no variable", tag.Start));
            return;
        }
        if (tokens.Count > 1)
        {
            problems.Add(new Problem($"unknown helper '{tokens[0]}' (there are no helpers: write one variable per {{{{…}}}})", tag.Start));
            return;
        }
        var (node, problem) = Resolve(tokens[0], blocks);
        if (problem is not null)
        {
            problems.Add(new Problem(problem, tag.Start));
            return;
        }
        var message = node!.Kind switch
        {
            NodeKind.Leaf or NodeKind.ItemField or NodeKind.LoopData => null,
            NodeKind.List => $"'{node.Name}' is a list: loop over it with {{{{#each {node.Name}}}}}…{{{{/each}}}}",
            NodeKind.Group => $"'{node.Name}' is a group of variables: use one of them, such as {TemplateVariables.All.First(v => v.Name.StartsWith(node.Name + ".", StringComparison.Ordinal)).Name}",
            NodeKind.Item => $"each item of {node.Name} has fields: use {string.Join(", ", node.List!.Fields!.Select(f => "{{" + f.Name + "}}"))}",
            _ => $"'{tokens[0]}' is the whole template, not a value",
        };
        if (message is not null)
        {
            problems.Add(new Problem(message, tag.Start));
        }
    }

    private static Block Open(Tag tag, List<Block> blocks, List<Problem> problems)
    {
        var tokens = Tokenize(tag, problems);
        var helper = tokens is { Count: > 0 } ? tokens[0] : "";
        if (tokens is null || tokens.Count == 0)
        {
            if (tokens is not null)
            {
                problems.Add(new Problem("{{#}} names no helper", tag.Start));
            }
            return new Block(helper, tag.Start, null);
        }
        if (!TemplateVariables.BlockHelpers.Contains(helper))
        {
            problems.Add(tokens.Count == 1 && !helper.StartsWith('"')
                ? new Problem($"{{{{#{helper}}}}} is not supported: use {{{{#if {helper}}}}} or {{{{#each {helper}}}}}", tag.Start)
                : new Problem($"unknown block helper '{helper}' (the block helpers are {string.Join(", ", TemplateVariables.BlockHelpers)})", tag.Start));
            return new Block(helper, tag.Start, null);
        }
        if (tokens.Count != 2)
        {
            problems.Add(new Problem($"{{{{#{helper}}}}} takes exactly one variable", tag.Start));
            return new Block(helper, tag.Start, null);
        }
        var (node, problem) = Resolve(tokens[1], blocks);
        if (problem is not null)
        {
            problems.Add(new Problem(problem, tag.Start));
            return new Block(helper, tag.Start, null);
        }
        switch (helper)
        {
            case "each" when node!.Kind == NodeKind.List:
                return new Block(helper, tag.Start, new Node(NodeKind.Item, node.Name, node.List));
            case "each":
                problems.Add(new Problem($"{{{{#each}}}} loops over a list, and '{tokens[1]}' is not one (the lists are {string.Join(", ", TemplateVariables.All.Where(v => v.IsList).Select(v => v.Name))})", tag.Start));
                return new Block(helper, tag.Start, null);
            case "with" when node!.Kind == NodeKind.Group:
                return new Block(helper, tag.Start, node);
            case "with":
                problems.Add(new Problem($"{{{{#with}}}} takes a group such as {string.Join(", ", TemplateVariables.Groups.Take(3))}, and '{tokens[1]}' is not one", tag.Start));
                return new Block(helper, tag.Start, null);
            default:
                return new Block(helper, tag.Start, null);
        }
    }

    private static void Else(Tag tag, List<Block> blocks, List<Problem> problems)
    {
        if (blocks.Count == 0)
        {
            problems.Add(new Problem("{{else}} outside a block", tag.Start, Structure: true));
            return;
        }
        // The else branch of {{#each}} and {{#with}} runs in the enclosing context, as does an
        // {{else if}} condition.
        blocks[^1].InElse = true;
        if (tag.Body.Length == 0)
        {
            return;
        }
        var tokens = Tokenize(tag, problems);
        if (tokens is null)
        {
            return;
        }
        if (tokens.Count != 2 || tokens[0] is not ("if" or "unless"))
        {
            problems.Add(new Problem("{{else …}} takes 'if' or 'unless' and one variable", tag.Start));
            return;
        }
        var (_, problem) = Resolve(tokens[1], blocks);
        if (problem is not null)
        {
            problems.Add(new Problem(problem, tag.Start));
        }
    }

    /// <summary>The expression's words; quoted text and [segments] stay whole. Null when it uses syntax this checker refuses.</summary>
    private static List<string>? Tokenize(Tag tag, List<Problem> problems)
    {
        var body = tag.Body;
        var tokens = new List<string>();
        var i = 0;
        while (i < body.Length)
        {
            if (char.IsWhiteSpace(body[i]))
            {
                i++;
                continue;
            }
            var start = i;
            while (i < body.Length && !char.IsWhiteSpace(body[i]))
            {
                var c = body[i];
                if (c is '"' or '\'' or '[')
                {
                    var end = body.IndexOf(c == '[' ? ']' : c, i + 1);
                    i = end < 0 ? body.Length : end + 1;
                    continue;
                }
                if (c is '(' or ')')
                {
                    problems.Add(new Problem("subexpressions ( … ) are not supported", tag.Start));
                    return null;
                }
                if (c == '|')
                {
                    problems.Add(new Problem("block parameters (as |…|) are not supported: inside {{#each}} use the item's fields", tag.Start));
                    return null;
                }
                if (c == '=')
                {
                    problems.Add(new Problem("named arguments (name=value) are not supported", tag.Start));
                    return null;
                }
                i++;
            }
            tokens.Add(body[start..i]);
        }
        return tokens;
    }

    /// <summary>What a path names in the scope the blocks make, or why it names nothing.</summary>
    private static (Node? Node, string? Problem) Resolve(string token, List<Block> blocks)
    {
        if (token[0] is '"' or '\'' || char.IsAsciiDigit(token[0]) || token[0] == '-' || token is "true" or "false" or "null" or "undefined")
        {
            return (null, $"expects a variable, not the literal {token}");
        }
        var contexts = new List<Node> { Root };
        contexts.AddRange(blocks.Where(b => b.Context is not null && !b.InElse).Select(b => b.Context!));
        if (token[0] == '@')
        {
            if (TemplateVariables.LoopVariables.Contains(token))
            {
                return blocks.Any(b => b.Helper == "each" && b.Context is not null && !b.InElse)
                    ? (new Node(NodeKind.LoopData, token), null)
                    : (null, $"{token} is only set inside {{{{#each}}}}");
            }
            if (token == "@root")
            {
                return (Root, null);
            }
            if (token.StartsWith("@root.", StringComparison.Ordinal))
            {
                return Descend(Root, token[6..], token);
            }
            return (null, $"unknown data variable '{token}' (inside {{{{#each}}}} there are {string.Join(", ", TemplateVariables.LoopVariables)})");
        }
        var rest = token;
        var up = 0;
        while (rest.StartsWith("../", StringComparison.Ordinal))
        {
            up++;
            rest = rest[3..];
        }
        if (rest == "..")
        {
            up++;
            rest = "";
        }
        if (up >= contexts.Count)
        {
            return (null, $"'{token}' reaches above the top of the template");
        }
        var context = contexts[^(1 + up)];
        if (rest is "this" or ".")
        {
            rest = "";
        }
        else if (rest.StartsWith("this.", StringComparison.Ordinal) || rest.StartsWith("./", StringComparison.Ordinal))
        {
            rest = rest[(rest[0] == 't' ? 5 : 2)..];
        }
        return rest.Length == 0 ? (context, null) : Descend(context, rest, token);
    }

    private static (Node? Node, string? Problem) Descend(Node context, string path, string token)
    {
        List<string> chain;
        try
        {
            var parsed = PathInfo.Parse(path);
            chain = parsed.Segments is [{ PathChain: { } links }] ? links.Select(c => c.TrimmedValue).ToList() : [];
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IndexOutOfRangeException or HandlebarsDotNet.HandlebarsException)
        {
            chain = [];
        }
        if (chain.Count == 0 || chain.Any(c => c.Length == 0 || c is "this" or "..") || path.Contains("..", StringComparison.Ordinal)
            || path.StartsWith('.') || path.EndsWith('.'))
        {
            return (null, $"'{token}' is not a variable path (write names with dots, such as customer.first_name)");
        }
        var name = string.Join('.', chain);
        switch (context.Kind)
        {
            case NodeKind.Item:
                var field = context.List!.Fields!.FirstOrDefault(f => f.Name == name);
                if (field is not null)
                {
                    return (new Node(NodeKind.ItemField, context.Name + "." + name), null);
                }
                var fields = string.Join(", ", context.List.Fields!.Select(f => f.Name));
                return Lookup(name).Problem is null
                    ? (null, $"'{token}' inside {{{{#each {context.Name}}}}} is looked up on each item, which has only {fields}: write @root.{name}")
                    : (null, $"unknown variable '{name}': each item of {context.Name} has {fields}");
            case NodeKind.Group:
                return Lookup(context.Name + "." + name);
            default:
                return Lookup(name);
        }
    }

    private static (Node? Node, string? Problem) Lookup(string name)
    {
        if (TemplateVariables.Find(name) is { } variable)
        {
            return (new Node(variable.IsList ? NodeKind.List : NodeKind.Leaf, name, variable.IsList ? variable : null), null);
        }
        return TemplateVariables.IsGroup(name) ? (new Node(NodeKind.Group, name), null) : (null, $"unknown variable '{name}'");
    }

    /// <summary>"line 3, column 12" for an index into the source.</summary>
    public static string Where(string source, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index && i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return $"line {line}, column {index - lineStart + 1}";
    }

    private static bool At(string source, int index, string text) =>
        index >= 0 && index + text.Length <= source.Length && string.CompareOrdinal(source, index, text, 0, text.Length) == 0;
}
