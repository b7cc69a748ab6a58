using System.Reflection;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests;

/// <summary>Every test class says whether it is a unit or an integration test, and the unit set stays in-process.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class TestCategoryTests
{
    [Fact]
    public void TestClasses_EachOne_CarriesACategoryTrait()
    {
        var unlabelled = TestClasses().Where(t => CategoryOf(t) is not (TestCategories.Unit or TestCategories.Integration)).Select(t => t.FullName).ToList();

        Assert.True(unlabelled.Count == 0, $"Test classes without [Trait(\"Category\", TestCategories.Unit or .Integration)]: {string.Join(", ", unlabelled)}");
    }

    [Fact]
    public void UnitTestClasses_Constructors_DoNotTakeAzurite()
    {
        var offenders = TestClasses()
            .Where(t => CategoryOf(t) == TestCategories.Unit)
            .Where(t => t.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(AzuriteFixture))))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(offenders.Count == 0, $"Unit test classes that use Azurite (label them Integration): {string.Join(", ", offenders)}");
    }

    private static IEnumerable<Type> TestClasses() =>
        typeof(TestCategoryTests).Assembly.GetTypes().Where(t => t.IsClass && t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Any(m => m.IsDefined(typeof(FactAttribute), inherit: true)));

    private static string? CategoryOf(Type type) =>
        type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute) && a.ConstructorArguments.Count == 2 && (string?)a.ConstructorArguments[0].Value == "Category")
            .Select(a => (string?)a.ConstructorArguments[1].Value)
            .FirstOrDefault();
}
