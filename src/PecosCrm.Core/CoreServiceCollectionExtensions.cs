using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Access;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Automation;
using PecosCrm.Core.Campaigns;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Exports;
using PecosCrm.Core.Integrations;
using PecosCrm.Core.Loyalty;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Orders;
using PecosCrm.Core.Predictive;
using PecosCrm.Core.Pipeline;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Products;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Tasks;
using PecosCrm.Core.Wholesale;
using PecosCrm.Core.Support;
using PecosCrm.Core.Reports;

namespace PecosCrm.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Storage, the feature stores and their options. The storage connection string is <c>AzureWebJobsStorage</c>.</summary>
    public static IServiceCollection AddPecosCrmCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .Configure<IConfiguration>((o, config) => o.ConnectionString = config[StorageOptions.ConnectionStringKey] is { Length: > 0 } c ? c : o.ConnectionString);
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName);
        services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.SectionName);

        services.AddSingleton<StorageAccount>();
        services.AddSingleton<StorageInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageInitializer>());
        services.AddSingleton<BlobFiles>();
        services.AddSingleton<StoreTime>();

        services.AddSingleton<StaffStore>();
        services.AddPipeline();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<AuditLog>();
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.SectionName);
        services.AddSingleton<AuditReads>();
        services.AddHostedService<AuditReadFlusher>();

        services.AddSingleton<CustomerCards>();
        services.AddSingleton<CustomerStore>();
        services.AddSingleton<CustomerEventWriter>();
        services.AddSingleton<TagStore>();
        services.AddSingleton<NoteStore>();
        services.AddSingleton<RelatedContactStore>();
        services.AddSingleton<TimelineStore>();
        services.AddSingleton<CustomerActivity>();
        services.AddSingleton<Customer360Reader>();
        services.AddSingleton<RecomputeService>();
        services.AddSingleton<ProductStore>();
        services.AddSingleton<ProductHistory>();
        services.AddSingleton<ProductImages>();
        services.AddOptions<ProductImageOptions>().BindConfiguration(ProductImageOptions.SectionName);
        services.AddSingleton<ProductViews>();
        services.AddSingleton<ProductEvents>();
        services.AddSingleton<ProductAnalytics>();
        services.AddSingleton<ReplenishmentWaits>();
        services.AddSingleton<OrderStore>();
        services.AddSingleton<EventIngestor>();
        services.AddSingleton<EventProcessor>();

        services.AddSingleton<CustomerFeatures>();
        services.AddSingleton<AnalyticsCopy>();
        services.AddSingleton<AnalyticsEngine>();
        services.AddSingleton<RfmMapStore>();
        services.AddSingleton<RfmAnalysis>();
        services.AddPredictive();
        services.AddSingleton<KpiAnalysis>();
        services.AddSingleton<CohortAnalysis>();
        services.AddSingleton<InsightAnalysis>();
        services.AddSingleton<MarketingAnalysis>();
        services.AddSingleton<ExportService>();
        services.AddSingleton<ExportScheduleService>();
        services.AddSingleton<PrivacyService>();

        services.AddSingleton<SegmentStore>();
        services.AddSingleton<SegmentQuery>();
        services.AddSingleton<SegmentService>();
        services.AddSingleton<SegmentActions>();
        services.AddSingleton<DiscountCodes>();

        services.AddSingleton<TemplateStore>();
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<TemplateService>();
        services.AddSingleton<InlineTextRenderer>();
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.SectionName);
        services.AddSingleton<MessageStore>();
        services.AddSingleton<Suppressions>();
        services.AddSingleton<Touches>();
        services.AddSingleton<SmsNumbers>();
        services.AddSingleton<Preferences>();
        services.AddSingleton<SignedLinks>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<SendTimes>();
        services.AddSingleton<IMessageEventObserver>(sp => sp.GetRequiredService<SendTimes>());
        services.AddSingleton<CampaignObserver>();
        services.AddOptions<AttributionOptions>().BindConfiguration(AttributionOptions.SectionName);
        services.AddSingleton<Attribution>();
        services.AddSingleton<IMessageEventObserver>(sp => sp.GetRequiredService<CampaignObserver>());
        services.AddSingleton<SendGridEvents>();
        services.AddSingleton<IEmailComposer, EmailComposer>();
        services.AddSingleton<MessageQueue>();
        services.AddSingleton<MessageConsent>();
        services.AddSingleton<MessageDispatch>();
        services.AddSingleton<ScheduledMessages>();
        services.AddSingleton<SmsSending>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<Unsubscribes>();
        services.AddSingleton<Inbox>();

        services.AddOptions<AutomationOptions>().BindConfiguration(AutomationOptions.SectionName);
        services.AddLoyalty();
        services.AddSingleton<WorkflowStore>();
        services.AddSingleton<WorkflowChecks>();
        services.AddSingleton<WebhookClient>();
        services.AddSingleton<AutomationCounters>();
        services.AddSingleton<InstanceStore>();
        services.AddSingleton<AutomationInstances>();
        services.AddSingleton<AutomationConditions>();
        services.AddSingleton<AutomationSteps>();
        // The orchestrator and its activities, resolved by the engine of either hosting mode.
        services.AddTransient<AutomationOrchestrator>();
        foreach (var activity in AutomationActivities.All.Values)
        {
            services.AddTransient(activity);
        }
        services.AddSingleton<AutomationTriggers>();
        services.AddSingleton<IAppliedEventObserver>(sp => sp.GetRequiredService<AutomationTriggers>());
        services.AddSingleton<AutomationAnalytics>();
        services.AddSingleton<IMessageEventObserver>(sp => sp.GetRequiredService<AutomationAnalytics>());
        // SendGrid when a key is configured; otherwise the development outbox.
        services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<IOptions<MessagingOptions>>().Value.SendGridApiKey is { Length: > 0 }
            ? new SendGridEmailSender(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) },
                sp.GetRequiredService<IOptions<MessagingOptions>>())
            : ActivatorUtilities.CreateInstance<OutboxEmailSender>(sp));
        // A Twilio-compatible SMS API when an account is configured; otherwise the outbox.
        services.AddSingleton<ISmsSender>(sp => sp.GetRequiredService<IOptions<MessagingOptions>>().Value.SmsAccountSid is { Length: > 0 }
            ? new TwilioSmsSender(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(30) },
                sp.GetRequiredService<IOptions<MessagingOptions>>())
            : ActivatorUtilities.CreateInstance<OutboxSmsSender>(sp));

        services.AddOptions<CampaignOptions>().BindConfiguration(CampaignOptions.SectionName);
        services.AddSingleton<CampaignStore>();
        services.AddSingleton<CampaignRunner>();
        services.AddSingleton<CampaignService>();
        services.AddSingleton<CampaignReports>();
        services.AddWholesale();
        services.AddStaffTasks();
        services.AddSupport();
        services.AddIntegrationHub();
        services.AddReports();
        AddPersonalData(services);
        return services;
    }

    /// <summary>
    /// Every feature that keeps personal data, for the GDPR export and erasure; the erasure asks them
    /// by <see cref="ErasureStage"/>, in this order within a stage.
    /// </summary>
    private static void AddPersonalData(IServiceCollection services)
    {
        services.AddSingleton<CustomerPersonalData>();
        services.AddSingleton<StoreEventBatches>();
        services.AddSingleton<ExportFiles>();
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<CustomerPersonalData>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<OrderStore>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<MessageStore>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<Preferences>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<Inbox>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<ScheduledMessages>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<Outbox>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<PointsLedger>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<Referrals>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<DiscountCodes>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<SegmentStore>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<CampaignStore>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<AutomationInstances>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<StoreEventBatches>());
        services.AddSingleton<IPersonalData>(sp => sp.GetRequiredService<ExportFiles>());
    }
}
