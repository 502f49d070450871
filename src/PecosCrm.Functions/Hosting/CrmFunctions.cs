using PecosCrm.Core.Storage;
using PecosCrm.Functions.Jobs;

namespace PecosCrm.Functions.Hosting;

/// <summary>Every timer and queue function of the app. Add new ones here and nowhere else.</summary>
public static class CrmFunctions
{
    public static TriggerRegistry Registry() => new TriggerRegistry()
        .Timer<HousekeepingTimerJob>(HousekeepingTimerJob.FunctionName, HousekeepingTimerJob.Schedule)
        .Timer<AnalyticsRefreshJob>(AnalyticsRefreshJob.FunctionName, AnalyticsRefreshJob.Schedule)
        .Timer<NightlyRecomputeJob>(NightlyRecomputeJob.FunctionName, NightlyRecomputeJob.Schedule)
        .Timer<ScheduledMessagesJob>(ScheduledMessagesJob.FunctionName, ScheduledMessagesJob.Schedule)
        .Timer<AutomationSchedulesJob>(AutomationSchedulesJob.FunctionName, AutomationSchedulesJob.Schedule)
        .Timer<ScheduledExportsJob>(ScheduledExportsJob.FunctionName, ScheduledExportsJob.Schedule)
        .Timer<CampaignsDueJob>(CampaignsDueJob.FunctionName, CampaignsDueJob.Schedule)
        .Queue<HousekeepingQueueJob>(HousekeepingQueueJob.FunctionName, StorageNames.Queues.Housekeeping)
        .Queue<ProcessEventsJob>(ProcessEventsJob.FunctionName, StorageNames.Queues.Events)
        .Queue<RunExportJob>(RunExportJob.FunctionName, StorageNames.Queues.Exports)
        .Queue<RecomputeShardJob>(RecomputeShardJob.FunctionName, StorageNames.Queues.Recompute)
        .Queue<SegmentWorkJob>(SegmentWorkJob.FunctionName, StorageNames.Queues.Segments)
        .Queue<SendMessageJob>(SendMessageJob.FunctionName, StorageNames.Queues.Messages)
        .Queue<SendGridEventsJob>(SendGridEventsJob.FunctionName, StorageNames.Queues.MessageEvents)
        .Queue<CampaignWorkJob>(CampaignWorkJob.FunctionName, StorageNames.Queues.Campaigns);
}
